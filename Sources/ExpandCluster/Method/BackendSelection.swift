import ECCore
import ECEngine

/// Which device trains the students, as the user asked for it.
public struct BackendSelection: Sendable, Codable, Equatable {
    public var kind: BackendKind
    public var device: String?

    public init(kind: BackendKind = .auto, device: String? = nil) {
        self.kind = kind
        self.device = device
    }

    /// The device a run in `precision` will use, in words.
    public func describe(precision: Precision) throws -> String {
        try ResolvedBackend(kind, device: device, precision: precision).describe(precision: precision)
    }

    /// The most device memory the run's OpenCL context held at once; nil on the CPU.
    public func peakDeviceMemoryBytes(precision: Precision) -> Int? {
        guard case .opencl(let device)? = try? ResolvedBackend(kind, device: self.device, precision: precision) else { return nil }
        return (try? OpenCLContext.shared(on: device))?.peakAllocatedBytes
    }

    func make<T: Real>(data: TrainingData<T>, bank: StudentBank<T>, optimizerState: OptimizerState<T>?,
                       configuration: EngineConfiguration) throws -> any TrainingBackend<T> {
        try makeTrainingBackend(kind, device: device, data: data, bank: bank, optimizerState: optimizerState,
                                configuration: configuration)
    }
}
