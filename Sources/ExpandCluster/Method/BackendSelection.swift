import ECCore
import ECEngine

/// Which device trains the students, as the user asked for it.
public struct BackendSelection: Sendable, Codable, Equatable {
    public var kind: String
    public var device: String?

    public init(kind: String = "cpu", device: String? = nil) {
        self.kind = kind
        self.device = device
    }

    /// The device a run will use, in words.
    public func describe(precision: Precision) throws -> String {
        "CPU (OpenBLAS, \(precision.rawValue))"
    }

    func make<T: Real>(data: TrainingData<T>, bank: StudentBank<T>, optimizerState: OptimizerState<T>?,
                       configuration: EngineConfiguration) throws -> any TrainingBackend<T> {
        try CPUBackend(data: data, bank: bank, optimizerState: optimizerState, configuration: configuration)
    }
}
