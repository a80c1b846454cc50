import ECCore
import ECEngine
import Testing
import TestSupport

/// `BackendChoice` and the kernel tuning it uses: which backend each kind gives on this
/// machine, and one-line errors for what a user can get wrong.
struct BackendChoiceTests {
    static func make(_ kind: BackendChoice.Kind, _ preference: String?) throws -> any TrainingBackend<Double> {
        _ = try TestOpenCL.devices.get()   // sets up PoCL's cache before the factory reaches the driver
        let data = try TrainingData<Double>(inputs: randomMatrix(20, 2, seed: 1), targets: randomMatrix(20, 1, seed: 2))
        return try BackendChoice(kind: kind, device: preference).resolve(precision: .float64)
            .make(data: data, bank: StudentBank.random(widths: [2, 3, 1], count: 2, activation: .tanh, seed: 3),
                  configuration: EngineConfiguration(batchSize: 8))
    }

    @Test func autoUsesOpenCLOnlyWhereThereIsAGPU() throws {
        let hasGPU = try TestOpenCL.devices.get().contains { $0.kind == .gpu && $0.supportsFloat64 }
        let backend = try Self.make(.auto, nil)
        #expect((backend is OpenCLBackend<Double>) == hasGPU, "\(backend.deviceDescription)")
        #expect(backend.peakDeviceMemoryBytes == nil || hasGPU)
    }

    @Test func explicitKindsGiveTheirBackend() throws {
        #expect(try Self.make(.cpu, nil) is CPUBackend<Double>)
        let device = try TestOpenCL.devices.get()[0]
        let backend = try Self.make(.opencl, "0")
        #expect(backend is OpenCLBackend<Double>)
        #expect(backend.deviceDescription.hasPrefix(device.name))
        #expect(try backend.trainEpoch(order: (0..<20).map { $0 }, learningRates: [1e-3, 1e-3]).allSatisfy(\.isFinite))
    }

    @Test func aDeviceThatDoesNotExistIsOneClearError() throws {
        let error = #expect(throws: ECError.self) { try Self.make(.opencl, "no-such-accelerator") }
        guard case .invalidArgument(let message)? = error else {
            Issue.record("expected invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("--device 'no-such-accelerator' matches no OpenCL device"))
        #expect(!message.contains("\n"))
        #expect(throws: ECError.self) { try Self.make(.auto, "99") }
        // Under auto, a device named by EC_OPENCL_DEVICE is not ignored either.
        let named = [OpenCLDevice.environmentVariable: "no-such-accelerator"]
        #expect(throws: ECError.self) { try BackendChoice(kind: .auto).resolve(precision: .float64, environment: named) }
        #expect(try BackendChoice(kind: .auto).resolve(precision: .float64, environment: [OpenCLDevice.environmentVariable: "0"])
                == .opencl(try TestOpenCL.devices.get()[0]))
    }

    @Test func tuningCanBeOverriddenFromTheEnvironment() throws {
        let device = try TestOpenCL.devices.get()[0]
        let variable = KernelTuning.environmentVariable
        let tuning = try KernelTuning.for(device, environment: [variable: "tileM=32, workM=2,fusedGroup=64"])
        #expect(tuning.tileM == 32 && tuning.workM == 2 && tuning.fusedGroup == 64 && tuning.tileN == 64)
        #expect(try KernelTuning.for(device, environment: [variable: "fillGroups=0"]).fillGroups == 0)
        #expect(try KernelTuning.for(device, environment: [variable: "gemmVersion=1"]).gemmVersion == 1)
        #expect(throws: ECError.self) { try KernelTuning.for(device, environment: [variable: "gemmVersion=3"]) }
        #expect(try KernelTuning.for(device, environment: [variable: "layerSteps=0"]).layerSteps == 0)
        #expect(throws: ECError.self) { try KernelTuning.for(device, environment: [variable: "layerSteps=2"]) }
        #expect(throws: ECError.self) { try KernelTuning.for(device, environment: [variable: "tileM=0"]) }
        #expect(throws: ECError.self) { try KernelTuning.for(device, environment: [variable: "tileQ=4"]) }
        #expect(throws: ECError.self) { try KernelTuning.for(device, environment: [variable: "tileM=30"]) }
        #expect(throws: ECError.self) { try KernelTuning.for(device, environment: [variable: "lossGroup=100"]) }
    }
}
