import Foundation
import Testing

/// `ec devices`, and asking for OpenCL where there is none. The OpenCL ICD loader reads its
/// drivers from OCL_ICD_VENDORS when it is set: an empty directory means no driver at all, and a
/// registered driver whose library does not exist is a driver that fails to load.
struct DeviceTests {
    enum MissingOpenCL: String, CaseIterable, CustomTestStringConvertible {
        case noDriver, brokenDriver
        var testDescription: String { rawValue }

        /// Makes the driver directory in `directory` and returns the environment that uses it.
        func environment(in directory: URL) throws -> [String: String] {
            let vendors = directory.appendingPathComponent("icd-vendors")
            try FileManager.default.createDirectory(at: vendors, withIntermediateDirectories: true)
            if self == .brokenDriver {
                try "/nonexistent/libOpenCL-driver.so\n".write(to: vendors.appendingPathComponent("broken.icd"),
                                                               atomically: true, encoding: .utf8)
            }
            return ["OCL_ICD_VENDORS": vendors.path, "EC_OPENCL_DEVICE": ""]
        }
    }

    static let openCLRequests: [CommandCase] = [
        CommandCase(["train", "--probe", "@probe.npz", "--activation", "tanh", "--widths", "4", "--epochs", "2",
                     "--backend", "opencl", "--output", "s.safetensors"], naming: ["no OpenCL device found"]),
        CommandCase(["train", "--probe", "@probe.npz", "--activation", "tanh", "--widths", "4", "--epochs", "2",
                     "--backend", "opencl", "--device", "nosuchdevice", "--output", "s.safetensors"],
                    naming: ["--device 'nosuchdevice'", "no OpenCL device found"]),
        CommandCase(["identify", "--probe", "@probe.npz", "--activation", "tanh", "--epochs", "2", "--backend", "opencl",
                     "--output", "run"], naming: ["no OpenCL device found"]),
        CommandCase(["identify", "--backend", "opencl", "--output", "demo"], naming: ["no OpenCL device found"]),
        CommandCase(["bench", "--epochs", "1", "--backend", "opencl", "--precision", "float32"],
                    naming: ["no OpenCL device found"]),
    ]

    @Test(arguments: MissingOpenCL.allCases, openCLRequests)
    func openCLWithoutADeviceIsOneLine(_ missing: MissingOpenCL, _ command: CommandCase) async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            try await expectFailure(command.arguments(with: fixtures), status: 1, naming: command.naming, in: directory,
                              environment: try missing.environment(in: directory))
        }
    }

    @Test(arguments: MissingOpenCL.allCases)
    func devicesSaysThereIsNoneAndSucceeds(_ missing: MissingOpenCL) async throws {
        try await withScratchDirectory { directory in
            let environment = try missing.environment(in: directory)
            let text = try await expectSuccess(["devices"], in: directory, environment: environment)
            #expect(text.stdout.hasPrefix("no OpenCL device found"))
            #expect(text.stderr.isEmpty)
            let json = try await expectSuccess(["devices", "--json"], in: directory, environment: environment)
            #expect((parseJSON(json.stdout) as? [Any])?.isEmpty == true)
        }
    }

    /// Without OpenCL, the default backend trains on the CPU and says so.
    @Test func autoBackendFallsBackToTheCPU() async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            let outcome = try await expectSuccess(["train", "--probe", fixtures.path("probe.npz"), "--activation", "tanh",
                                             "--widths", "4", "--students", "2", "--epochs", "2", "--output", "s.safetensors"],
                                            in: directory, environment: try MissingOpenCL.noDriver.environment(in: directory))
            #expect(outcome.stderr.contains("training on CPU (OpenBLAS"))
            #expect(outcome.stdout.contains("on CPU (OpenBLAS"))
        }
    }

    /// On this machine's devices, whatever they are: a device name that matches none is named.
    @Test func unknownDeviceIsNamed() async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            try await expectFailure(["train", "--probe", fixtures.path("probe.npz"), "--activation", "tanh", "--widths", "4",
                               "--backend", "opencl", "--device", "nosuchdevice", "--output", "s.safetensors"],
                              status: 1, naming: ["--device 'nosuchdevice'"], in: directory,
                              environment: ["EC_OPENCL_DEVICE": ""])
        }
    }

    /// The listing and its JSON agree on this machine's devices, with at most one default.
    @Test func devicesListsThisMachinesDevices() async throws {
        try await withScratchDirectory { directory in
            let environment = ["EC_OPENCL_DEVICE": ""]
            let text = try await expectSuccess(["devices"], in: directory, environment: environment).stdout
            let json = try await expectSuccess(["devices", "--json"], in: directory, environment: environment).stdout
            guard let devices = parseJSON(json) as? [[String: Any]] else {
                Issue.record("ec devices --json is not a list of objects: \(json)")
                return
            }
            #expect(devices.filter { $0["default"] as? Bool == true }.count == (devices.isEmpty ? 0 : 1))
            for (index, device) in devices.enumerated() {
                #expect(device["index"] as? Int == index)
                for key in ["platform", "name", "kind", "globalMemoryBytes", "computeUnits", "float64"] {
                    #expect(device[key] != nil, "device \(index) has no \(key)")
                }
                #expect(text.contains(device["name"] as? String ?? "?"))
            }
            if devices.isEmpty { #expect(text.hasPrefix("no OpenCL device found")) }
        }
    }
}
