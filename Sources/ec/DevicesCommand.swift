import ArgumentParser
import ECCore
import ECDistributed
import ECEngine
import Foundation

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the OpenCL devices that --device chooses from; * marks the default.",
        discussion: """
            Devices are numbered GPUs first, then accelerators, then CPUs; --device and \
            EC_OPENCL_DEVICE take that number or part of a device or platform name. A machine \
            without any OpenCL device is not an error: training then runs on the CPU (OpenBLAS). \
            Under mpirun, ranks on one host take different GPUs by their local rank; rank 0 prints \
            which rank takes which device.
            """)

    @Flag(help: "Print the devices as a JSON list on stdout (empty when there is none).") var json = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let devices: [OpenCLDevice]
        do {
            devices = try OpenCLDevice.all()
        } catch let error as OpenCLError {
            throw error.asECError
        }
        let ranks = try Ranks.world
        if ranks.size > 1 {
            // Every rank's own choice under --backend auto, in rank order, printed by rank 0.
            let mine = switch Result(catching: { try BackendChoice().resolve(precision: .float32, environment: environment) }) {
            case .success(.cpu): "the CPU (OpenBLAS, \(ProcessorShare.cores) core\(ProcessorShare.cores == 1 ? "" : "s"))"
            case .success(.opencl(let device)):
                "device \(OpenCLDevice.ordered(devices).firstIndex(of: device).map(String.init) ?? "?"): \(device.name)"
            case .failure(let error): "no device (\(error))"
            }
            let lines = try ranks.allGather(text: "rank \(ranks.rank) on \(ranks.host) (local rank \(ranks.localRank)) takes \(mine)")
            guard ranks.isRoot else { return }
            if !json {
                print(OpenCLDevice.listing(of: devices, environment: environment))
                lines.forEach { print($0) }
                return
            }
        }
        if json {
            let chosen = try? OpenCLDevice.defaultIndex(among: devices, environment: environment)
            try printJSON(devices.enumerated().map { DeviceEntry($1, index: $0, isDefault: $0 == chosen) })
        } else {
            print(OpenCLDevice.listing(of: devices, environment: environment))
            if devices.isEmpty { print("training runs on the CPU (OpenBLAS); --backend opencl is unavailable") }
        }
    }

    /// One device in `--json` output; `index` is what `--device` takes.
    struct DeviceEntry: Encodable {
        let index: Int, isDefault: Bool
        let platform: String, platformVersion: String, name: String, vendor: String, kind: String
        let globalMemoryBytes: Int, localMemoryBytes: Int, computeUnits: Int, maxWorkGroupSize: Int
        let maxClockMHz: Int, openCLCVersion: String, driverVersion: String, float64: Bool

        init(_ device: OpenCLDevice, index: Int, isDefault: Bool) {
            self.index = index
            self.isDefault = isDefault
            platform = device.platformName
            platformVersion = device.platformVersion
            name = device.name
            vendor = device.vendor
            kind = device.kind.description
            globalMemoryBytes = device.globalMemoryBytes
            localMemoryBytes = device.localMemoryBytes
            computeUnits = device.computeUnits
            maxWorkGroupSize = device.maxWorkGroupSize
            maxClockMHz = device.maxClockMHz
            openCLCVersion = device.openCLCVersion
            driverVersion = device.driverVersion
            float64 = device.supportsFloat64
        }

        enum CodingKeys: String, CodingKey {
            case index, isDefault = "default", platform, platformVersion, name, vendor, kind, globalMemoryBytes
            case localMemoryBytes, computeUnits, maxWorkGroupSize, maxClockMHz, openCLCVersion, driverVersion, float64
        }
    }
}
