import ECCore

/// What each student is trained to minimise.
public enum LossFunction: String, Sendable, Codable {
    /// Mean over samples and outputs of the squared difference to the targets: recovering a teacher.
    case meanSquaredError = "mse"
    /// Mean over samples of the softmax cross-entropy against class labels: training a classifier.
    case crossEntropy = "cross-entropy"
}

/// The update rule applied after each minibatch.
public enum Optimizer: Sendable, Codable, Equatable {
    /// Adam as PyTorch implements it: bias-corrected moments, ε added to √v̂.
    case adam(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8)
    /// Plain stochastic gradient descent.
    case sgd

    public static let standardAdam = Optimizer.adam()
    public var usesMoments: Bool { if case .adam = self { true } else { false } }
}

/// Settings a backend needs beyond the data and the students.
public struct EngineConfiguration: Sendable, Equatable {
    public var batchSize: Int
    public var loss: LossFunction
    public var optimizer: Optimizer
    /// Learning-rate multiplier per layer, the skip term last; 0 freezes a layer. Empty means 1 for all.
    public var layerLearningRateScales: [Double]

    public init(batchSize: Int = 512, loss: LossFunction = .meanSquaredError,
                optimizer: Optimizer = .standardAdam, layerLearningRateScales: [Double] = []) {
        self.batchSize = batchSize
        self.loss = loss
        self.optimizer = optimizer
        self.layerLearningRateScales = layerLearningRateScales
    }

    /// A minibatch larger than the data is the whole data; both backends train and size their
    /// buffers with this (a batch size of 10⁸ on 2,000 samples asked for 32 GB and aborted).
    public func fitted(to samples: Int) -> EngineConfiguration {
        var fitted = self
        fitted.batchSize = min(batchSize, samples)
        return fitted
    }

    /// The scale for layer `l` (the skip term is layer L+1 counting from 0, i.e. widths.count − 1).
    public func scale(forLayer l: Int) -> Double {
        l < layerLearningRateScales.count ? layerLearningRateScales[l] : 1
    }
}

/// The data every student trains on: inputs, and either regression targets or class labels.
public struct TrainingData<T: Real>: Sendable {
    public let inputs: Matrix<T>
    /// [samples, outputs] for the squared error; empty for cross-entropy.
    public let targets: Matrix<T>
    /// Class index per sample for cross-entropy; empty for the squared error.
    public let labels: [Int32]

    public var sampleCount: Int { inputs.rows }

    /// Regression data; rejects mismatched row counts and non-finite values.
    public init(inputs: Matrix<T>, targets: Matrix<T>) throws {
        guard inputs.rows > 0 else { throw ECError.shapeMismatch("the data has no samples") }
        guard inputs.rows == targets.rows else {
            throw ECError.shapeMismatch("\(inputs.rows) input rows but \(targets.rows) target rows")
        }
        try Self.checkFinite(inputs, "inputs")
        try Self.checkFinite(targets, "targets")
        self.inputs = inputs
        self.targets = targets
        self.labels = []
    }

    /// Classification data with labels in 0..<classes.
    public init(inputs: Matrix<T>, labels: [Int32], classes: Int) throws {
        guard inputs.rows > 0 else { throw ECError.shapeMismatch("the data has no samples") }
        guard inputs.rows == labels.count else {
            throw ECError.shapeMismatch("\(inputs.rows) input rows but \(labels.count) labels")
        }
        if let bad = labels.first(where: { $0 < 0 || Int($0) >= classes }) {
            throw ECError.invalidArgument("label \(bad) is outside 0..<\(classes)")
        }
        try Self.checkFinite(inputs, "inputs")
        self.inputs = inputs
        self.targets = Matrix(rows: inputs.rows, columns: 0)
        self.labels = labels
    }

    private static func checkFinite(_ m: Matrix<T>, _ name: String) throws {
        if let i = m.firstNonFiniteIndex {
            throw ECError.nonFiniteData("\(name) contain \(m.scalars[i]) at row \(i / m.columns), column \(i % m.columns)")
        }
    }
}

/// Optimiser state that a checkpoint must carry to resume exactly.
public struct OptimizerState<T: Real>: Sendable, Equatable {
    /// Number of updates taken so far (Adam's t).
    public var step: Int
    /// Adam's first and second moments, one array per tensor in layout order; empty for SGD.
    public var firstMoments: [[T]]
    public var secondMoments: [[T]]

    public init(step: Int, firstMoments: [[T]], secondMoments: [[T]]) {
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }

    /// The state before the first update.
    public static func initial(for bank: StudentBank<T>, optimizer: Optimizer) -> OptimizerState {
        let zeros = optimizer.usesMoments ? bank.tensors.map { [T](repeating: 0, count: $0.count) } : []
        return OptimizerState(step: 0, firstMoments: zeros, secondMoments: zeros)
    }
}

/// Trains a bank of students on one device. The trainer drives it epoch by epoch and does not
/// know which device runs it.
public protocol TrainingBackend<Scalar>: AnyObject {
    associatedtype Scalar: Real
    /// The device that runs the computation, in words.
    var deviceDescription: String { get }
    var studentCount: Int { get }
    /// The minibatch size, loss and optimiser it trains with.
    var configuration: EngineConfiguration { get }
    /// One pass over the samples in `order`, in minibatches of the configured size, every
    /// student updated after each minibatch with its own learning rate (0: not updated).
    /// Returns each student's loss averaged over the pass (as seen during it).
    func trainEpoch(order: [Int32], learningRates: [Double]) throws -> [Double]
    /// Each student's loss on all samples with the current parameters.
    func evaluateLosses() throws -> [Double]
    /// The students as they are now.
    func currentBank() throws -> StudentBank<Scalar>
    func currentOptimizerState() throws -> OptimizerState<Scalar>
    /// The most device memory the backend has held at once; nil for a backend on the host.
    var peakDeviceMemoryBytes: Int? { get }
}

extension TrainingBackend {
    public var peakDeviceMemoryBytes: Int? { nil }
}
