import ECCore
import ECEngine
import Testing

/// Device ordering, selection and listings on hand-made device lists, including the two-platform
/// layout of the target H100 machine (PoCL listed before NVIDIA CUDA).
struct OpenCLDeviceSelectionTests {
    static let gib = 1 << 30

    static let pocl = OpenCLDevice(platformName: "Portable Computing Language", name: "pthread-sapphirerapids",
                                   kind: .cpu, globalMemoryBytes: 100 * gib, maxWorkGroupSize: 4096,
                                   computeUnits: 16, supportsFloat64: true)
    static func h100(_ suffix: String = "") -> OpenCLDevice {
        OpenCLDevice(platformName: "NVIDIA CUDA", name: "NVIDIA H100 80GB HBM3" + suffix, kind: .gpu,
                     globalMemoryBytes: 80 * gib, maxWorkGroupSize: 1024, computeUnits: 132,
                     supportsFloat64: true)
    }
    static let arc = OpenCLDevice(platformName: "Intel(R) OpenCL Graphics", name: "Intel(R) Arc(TM) A770",
                                  kind: .gpu, globalMemoryBytes: 16 * gib, maxWorkGroupSize: 1024,
                                  computeUnits: 512, supportsFloat64: false)
    static let fpga = OpenCLDevice(platformName: "Intel(R) FPGA SDK", name: "Stratix", kind: .accelerator,
                                   supportsFloat64: false)

    /// The H100 machine as its ICD loader lists it: PoCL's CPU first, the GPU second.
    static let h100Machine = [pocl, h100()]

    @Test func orderingPutsGPUsThenAcceleratorsThenCPUsAndIsStable() {
        let other = OpenCLDevice(platformName: "P", name: "custom", kind: .other, supportsFloat64: false)
        let cpu2 = OpenCLDevice(platformName: "P", name: "cpu2", kind: .cpu, supportsFloat64: false)
        let devices = [other, Self.pocl, Self.h100(" #0"), Self.fpga, cpu2, Self.arc, Self.h100(" #1")]
        #expect(OpenCLDevice.ordered(devices).map(\.name) == [
            "NVIDIA H100 80GB HBM3 #0", "Intel(R) Arc(TM) A770", "NVIDIA H100 80GB HBM3 #1",
            "Stratix", "pthread-sapphirerapids", "cpu2", "custom",
        ])
    }

    /// Under mpirun the ranks on a host take the GPUs in turn by local rank (wrapping around),
    /// float64 runs only those with doubles; a named device still wins.
    @Test func ranksOfAnMPIJobTakeGPUsByLocalRank() throws {
        let machine = [Self.pocl, Self.h100(" #0"), Self.arc, Self.h100(" #1")]
        let rank = { (local: Int, float64: Bool, device: String?) throws -> String in
            try OpenCLDevice.select(device, from: machine, environment: [OpenCLDevice.localRankVariable: String(local)],
                                    requireFloat64: float64).name
        }
        #expect(try (0..<4).map { try rank($0, false, nil) } == [
            "NVIDIA H100 80GB HBM3 #0", "Intel(R) Arc(TM) A770", "NVIDIA H100 80GB HBM3 #1", "NVIDIA H100 80GB HBM3 #0",
        ])
        #expect(try (0..<3).map { try rank($0, true, nil) } == [
            "NVIDIA H100 80GB HBM3 #0", "NVIDIA H100 80GB HBM3 #1", "NVIDIA H100 80GB HBM3 #0",
        ])
        #expect(try rank(1, false, "pthread") == "pthread-sapphirerapids")
        #expect(try OpenCLDevice.select(nil, from: [Self.pocl], environment: [OpenCLDevice.localRankVariable: "1"]).name
                == "pthread-sapphirerapids")
        #expect(OpenCLDevice.listing(of: machine, environment: [OpenCLDevice.localRankVariable: "1"])
            .hasSuffix("* chosen for MPI local rank 1 (neither --device nor EC_OPENCL_DEVICE is given)"))
    }

    @Test func defaultIsTheGPUEvenWhenItsPlatformComesSecond() throws {
        #expect(try OpenCLDevice.select(nil, from: Self.h100Machine).name == "NVIDIA H100 80GB HBM3")
    }

    @Test func indexCountsInTheOrderedList() throws {
        #expect(try OpenCLDevice.select("0", from: Self.h100Machine).kind == .gpu)
        #expect(try OpenCLDevice.select(" 1 ", from: Self.h100Machine).name == "pthread-sapphirerapids")
        let error = #expect(throws: ECError.self) { try OpenCLDevice.select("2", from: Self.h100Machine) }
        #expect(error?.description.contains("no device 2") == true)
        #expect(error?.description.contains("1: pthread-sapphirerapids (Portable Computing Language)") == true)
    }

    @Test func substringMatchesDeviceOrPlatformIgnoringCase() throws {
        #expect(try OpenCLDevice.select("h100", from: Self.h100Machine).kind == .gpu)
        #expect(try OpenCLDevice.select("CUDA", from: Self.h100Machine).kind == .gpu)
        #expect(try OpenCLDevice.select("portable", from: Self.h100Machine).kind == .cpu)
    }

    @Test func ambiguousSubstringListsTheCandidates() {
        let devices = [Self.pocl, Self.h100(), Self.h100()]
        let error = #expect(throws: ECError.self) { try OpenCLDevice.select("H100", from: devices) }
        let message = error?.description ?? ""
        #expect(message.contains("--device 'H100' matches 2 devices"))
        #expect(message.contains("0: NVIDIA H100 80GB HBM3 (NVIDIA CUDA), 1: NVIDIA H100 80GB HBM3 (NVIDIA CUDA)"))
        #expect(!message.contains("pthread"))
        #expect(message.contains("index"))
    }

    @Test func wholeNameWinsOverLongerNamesContainingIt() throws {
        let devices = [Self.h100(), Self.h100(" MIG 1g.10gb")]
        #expect(try OpenCLDevice.select("nvidia h100 80gb hbm3", from: devices).name == "NVIDIA H100 80GB HBM3")
    }

    @Test func unmatchedPreferenceListsTheDevices() {
        let error = #expect(throws: ECError.self) { try OpenCLDevice.select("radeon", from: Self.h100Machine) }
        #expect(error == .invalidArgument("--device 'radeon' matches no OpenCL device; devices: "
            + "0: NVIDIA H100 80GB HBM3 (NVIDIA CUDA), 1: pthread-sapphirerapids (Portable Computing Language)"))
    }

    @Test func flagBeatsEnvironmentAndEnvironmentBeatsDefault() throws {
        let environment = [OpenCLDevice.environmentVariable: "pthread"]
        #expect(try OpenCLDevice.select(nil, from: Self.h100Machine, environment: environment).kind == .cpu)
        #expect(try OpenCLDevice.select("nvidia", from: Self.h100Machine, environment: environment).kind == .gpu)
        // A blank flag counts as not given.
        #expect(try OpenCLDevice.select(" ", from: Self.h100Machine, environment: environment).kind == .cpu)
        let error = #expect(throws: ECError.self) {
            try OpenCLDevice.select(nil, from: Self.h100Machine, environment: [OpenCLDevice.environmentVariable: "tpu"])
        }
        #expect(error?.description.hasPrefix("EC_OPENCL_DEVICE='tpu' matches no OpenCL device") == true)
    }

    @Test func requireFloat64SkipsOrRefusesDevicesWithoutDoubles() throws {
        let devices = [Self.arc, Self.pocl]
        #expect(try OpenCLDevice.select(nil, from: devices).name == Self.arc.name)
        #expect(try OpenCLDevice.select(nil, from: devices, requireFloat64: true).name == Self.pocl.name)
        let refused = #expect(throws: ECError.self) {
            try OpenCLDevice.select("arc", from: devices, requireFloat64: true)
        }
        #expect(refused?.description.contains("does not support float64") == true)
        let none = #expect(throws: ECError.self) {
            try OpenCLDevice.select(nil, from: [Self.arc, Self.fpga], requireFloat64: true)
        }
        #expect(none?.description.hasPrefix("no OpenCL device supports float64") == true)
    }

    @Test func noDevicesIsOneLineDeviceError() {
        let error = #expect(throws: ECError.self) { try OpenCLDevice.select(nil, from: []) }
        #expect(error == .device(OpenCLDevice.noDeviceMessage))
        #expect(OpenCLDevice.noDeviceMessage.hasPrefix("no OpenCL device found (is an OpenCL driver installed?"))
        #expect(!OpenCLDevice.noDeviceMessage.contains("\n"))
        #expect(OpenCLDevice.listing(of: []) == OpenCLDevice.noDeviceMessage)
    }

    @Test func noDevicesNamesTheFlagOrVariableThatAskedForOne() {
        let flagged = #expect(throws: ECError.self) { try OpenCLDevice.select("h100", from: []) }
        #expect(flagged == .device("--device 'h100': " + OpenCLDevice.noDeviceMessage))
        let variable = #expect(throws: ECError.self) {
            try OpenCLDevice.select(nil, from: [], environment: ["EC_OPENCL_DEVICE": "1"])
        }
        #expect(variable == .device("EC_OPENCL_DEVICE='1': " + OpenCLDevice.noDeviceMessage))
    }

    @Test func defaultIndexIsTheListingsMark() throws {
        #expect(try OpenCLDevice.defaultIndex(among: Self.h100Machine, environment: [:]) == 0)
        #expect(try OpenCLDevice.defaultIndex(among: Self.h100Machine, environment: ["EC_OPENCL_DEVICE": "pthread"]) == 1)
        #expect(throws: ECError.self) { try OpenCLDevice.defaultIndex(among: [], environment: [:]) }
    }

    @Test func describeIsOneLineWithTheKeyFacts() {
        #expect(Self.h100().describe() == "NVIDIA H100 80GB HBM3 (NVIDIA CUDA, GPU, 80.0 GiB, 132 CUs, fp64)")
        #expect(Self.arc.describe().hasSuffix("16.0 GiB, 512 CUs, no fp64)"))
    }

    @Test func listingMarksTheDefaultDevice() {
        let lines = OpenCLDevice.listing(of: Self.h100Machine).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        for column in ["#", "platform", "device", "kind", "memory", "CUs", "max WG", "fp64"] {
            #expect(lines[0].contains(column))
        }
        #expect(lines[1].hasPrefix("*  0  NVIDIA CUDA"))
        for field in ["NVIDIA H100 80GB HBM3", "GPU", "80.0 GiB", "132", "1024", "yes"] {
            #expect(lines[1].contains(field))
        }
        #expect(lines[2].hasPrefix("   1  Portable Computing Language"))
        #expect(lines[2].contains("CPU") && lines[2].contains("100.0 GiB") && lines[2].contains("4096"))
        #expect(lines[3].hasPrefix("* chosen when neither --device nor EC_OPENCL_DEVICE"))
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
    }

    @Test func listingFollowsTheEnvironmentVariable() {
        let listing = OpenCLDevice.listing(of: Self.h100Machine, environment: ["EC_OPENCL_DEVICE": "1"])
        let lines = listing.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("   0"))
        #expect(lines[2].hasPrefix("*  1"))
        #expect(lines[3] == "* chosen by EC_OPENCL_DEVICE='1'")
        let broken = OpenCLDevice.listing(of: Self.h100Machine, environment: ["EC_OPENCL_DEVICE": "9"])
        #expect(!broken.contains("*"))
        #expect(broken.hasSuffix("no default device: EC_OPENCL_DEVICE='9': there is no device 9; devices: "
            + "0: NVIDIA H100 80GB HBM3 (NVIDIA CUDA), 1: pthread-sapphirerapids (Portable Computing Language)"))
    }

    @Test func handDescribedDeviceCannotOpenAContext() {
        let error = #expect(throws: OpenCLError.self) { try OpenCLContext(device: Self.pocl) }
        #expect(error?.description.contains("described by hand") == true)
    }
}
