import ECCore
import ECNumerics
import Foundation

/// Second-order polishing of small students in float64 (Levenberg–Marquardt).
///
/// Adam stalls where duplicates of a teacher neuron still disagree by degrees; Gauss–Newton steps
/// take the same students to losses at which each teacher neuron reappears within hundredths of a
/// degree (docs/method.md, step 2). Each student is polished on its own, in parallel across
/// cores; the Jacobian is formed explicitly (samples × parameters), so this is for small networks
/// only.
public struct LevenbergMarquardt: Sendable {
    public struct Options: Sendable, Codable, Equatable {
        public var maximumIterations: Int
        /// Stop once MSE / Var(y) is below this.
        public var targetRelativeLoss: Double
        /// Stop when the last `patience` iterations together improved the loss by less than this
        /// factor: a student that gains less than a decade in 50 steps is as good as it gets.
        public var minimumImprovement: Double
        public var patience: Int
        /// Samples used (evenly spaced): at least this many, and at least 4 per parameter, so the
        /// fit pins the function down while JᵀJ stays cheap; `.max` uses every sample.
        public var minimumSamples: Int

        public init(maximumIterations: Int = 1000, targetRelativeLoss: Double = 1e-22,
                    minimumImprovement: Double = 0.1, patience: Int = 50, minimumSamples: Int = 2000) {
            self.maximumIterations = maximumIterations
            self.targetRelativeLoss = targetRelativeLoss
            self.minimumImprovement = minimumImprovement
            self.patience = patience
            self.minimumSamples = minimumSamples
        }

        /// The polishing of students with `hiddenLayers` hidden layers. Deep students progress in
        /// bursts, so they get ten times the patience and five times the iterations; and they use
        /// every sample, since polished on a subset they overfit it (Benchmarks/RESULTS.md,
        /// "Polishing").
        public static func students(hiddenLayers: Int) -> Options {
            hiddenLayers > 1 ? Options(maximumIterations: 5000, patience: 500, minimumSamples: .max) : Options()
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Whether `bank` is small enough for explicit Jacobians: at most `parameterLimit` parameters
    /// per student (JᵀJ is P², the Cholesky solve P³/3 per iteration).
    public static func applies<T: Real>(to bank: StudentBank<T>) -> Bool {
        bank.layout.parametersPerStudent <= parameterLimit
    }

    public static let parameterLimit = 3000

    /// Polishes every student with a finite loss; returns the bank and each student's MSE on the
    /// samples used.
    /// Layers below `frozenLayers` keep their values (deep reconstruction holds them at the
    /// shared reconstruction).
    public func polish(_ bank: StudentBank<Double>, inputs: Matrix<Double>, targets: Matrix<Double>,
                       frozenLayers: Int = 0) throws -> (bank: StudentBank<Double>, losses: [Double]) {
        guard Self.applies(to: bank) else {
            throw ECError.invalidArgument("polishing needs students of at most \(Self.parameterLimit) parameters (these have \(bank.layout.parametersPerStudent))")
        }
        let parameters = bank.layout.parametersPerStudent
        let limit = max(4 * parameters, options.minimumSamples)
        let rows = inputs.rows <= limit ? Array(0..<inputs.rows)
            : (0..<limit).map { $0 * inputs.rows / limit }
        let x = inputs.rows(rows), y = targets.rows(rows)
        let students = (0..<bank.count).map { bank.student($0) }
        let results = ResultSlots<(Network<Double>, Double)>(count: bank.count)
        DispatchQueue.concurrentPerform(iterations: bank.count) { n in
            results[n] = polish(students[n], x: x, y: y, frozenLayers: frozenLayers)
        }
        let polished = try StudentBank(students: results.values.map(\.0))
        return (polished, results.values.map(\.1))
    }

    /// One student, through the shared Levenberg–Marquardt driver; its loss is the MSE.
    func polish(_ network: Network<Double>, x: Matrix<Double>, y: Matrix<Double>, frozenLayers: Int) -> (Network<Double>, Double) {
        let start = NetworkParameters(network)
        let count = Double(max(y.scalars.count, 1))
        let variance = max(y.pooledVariance, .leastNormalMagnitude)
        let driver = LevenbergMarquardtDriver(options: .init(
            maximumIterations: options.maximumIterations, targetCost: options.targetRelativeLoss * variance * count,
            patience: options.patience, minimumImprovement: options.minimumImprovement,
            pinned: start.frozenCount(layers: frozenLayers)))
        let result = driver.minimize(start.values, residuals: { start.with($0).residuals(x, y) },
                                     jacobian: { start.with($0).jacobian(x) })
        guard result.cost.isFinite else { return (network, result.cost / count) }
        return (start.with(result.parameters).network, result.cost / count)
    }
}

/// Result slots filled by parallel workers, each index by exactly one worker: raw storage, since
/// concurrent writes into a Swift array would race on its copy-on-write bookkeeping.
final class ResultSlots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Value?>
    private let count: Int

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    subscript(index: Int) -> Value? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    var values: [Value] { (0..<count).map { storage[$0]! } }
}
