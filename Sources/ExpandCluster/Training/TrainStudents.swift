import ECCore
import ECDistributed
import ECEngine
import Foundation

/// `ec train`: one expansion at given widths, without clustering.
public struct TrainStudents: Sendable {
    public var activation: Activation
    public var hiddenWidths: [Int]
    public var students: Int
    public var precision: Precision
    public var backend: BackendChoice
    public var batchSize: Int
    public var training: TrainingOptions

    public init(activation: Activation, hiddenWidths: [Int], students: Int, precision: Precision,
                backend: BackendChoice, batchSize: Int, training: TrainingOptions) {
        self.activation = activation
        self.hiddenWidths = hiddenWidths
        self.students = students
        self.precision = precision
        self.backend = backend
        self.batchSize = batchSize
        self.training = training
    }

    public struct Result: Sendable {
        public let bank: StudentBank<Double>
        /// Final MSE per student on the whole probe set, and the same divided by Var(y).
        public let losses: [Double]
        public let relativeLosses: [Double]
        public let epochs: Int
        public let device: String
        public let seconds: Double
    }

    /// Under MPI every rank of `ranks` calls it and they share the students; each gets the result.
    public func run(inputs: Matrix<Double>, targets: Matrix<Double>, log: EpochLogFile?, ranks: Ranks = .single,
                    progress: @escaping (ProgressEvent) -> Void) throws -> Result {
        guard students > 0 else { throw ECError.invalidArgument("--students must be positive (got \(students))") }
        guard training.maximumEpochs > 0 else { throw ECError.invalidArgument("--epochs must be positive (got \(training.maximumEpochs))") }
        switch precision {
        case .float32: return try run(Float.self, inputs: inputs, targets: targets, log: log, ranks: ranks, progress: progress)
        case .float64: return try run(Double.self, inputs: inputs, targets: targets, log: log, ranks: ranks, progress: progress)
        }
    }

    private func run<T: Real>(_: T.Type, inputs: Matrix<Double>, targets: Matrix<Double>, log: EpochLogFile?, ranks: Ranks,
                              progress: @escaping (ProgressEvent) -> Void) throws -> Result {
        let watch = Stopwatch()
        let data = try TrainingData<T>(inputs: inputs.converted(), targets: targets.converted())
        let bank = try StudentBank<T>.random(widths: [inputs.columns] + hiddenWidths + [targets.columns], count: students,
                                             activation: activation, seed: training.seed)
        let variance = try targetVariance(targets)
        let resolved = try backend.resolve(precision: T.precision)
        let device = resolved.describe(precision: T.precision)
        progress(.note("training on \(device)"))
        let trained = try trainBank(bank, data: data, phase: .train, device: resolved,
                                    configuration: EngineConfiguration(batchSize: batchSize), options: training,
                                    lossScale: variance, onEpoch: { try log?.append($0, phase: PhaseID.train.name) },
                                    ranks: ranks, progress: progress)
        return Result(bank: trained.bank.converted(), losses: trained.losses, relativeLosses: trained.losses.map { $0 / variance },
                      epochs: trained.epochs, device: device, seconds: watch.seconds)
    }
}
