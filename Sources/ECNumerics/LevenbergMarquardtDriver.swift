import ECCore

/// Levenberg–Marquardt minimisation of ‖r(θ)‖² from residual and Jacobian closures: damped
/// Gauss–Newton steps (JᵀJ + λ·(diag JᵀJ + 1e-12))·δ = Jᵀr solved by Cholesky, the damping λ
/// raised fourfold on a rejected step and lowered threefold on an accepted one (Marquardt's
/// diagonal scaling). The one LM in the package: the network polish and the neuron fit use it.
public struct LevenbergMarquardtDriver: Sendable {
    public struct Options: Sendable, Equatable {
        public var maximumIterations: Int
        /// Stop once the cost ‖r‖² is below this.
        public var targetCost: Double
        /// Stop when an accepted step lowers the cost by no more than this fraction of the new cost.
        public var minimumStepGain: Double
        /// Stop when the last `patience` iterations together lowered the cost by less than the
        /// factor `minimumImprovement`.
        public var patience: Int
        public var minimumImprovement: Double
        /// The first `pinned` parameters keep their values.
        public var pinned: Int

        public init(maximumIterations: Int = 100, targetCost: Double = 0, minimumStepGain: Double = 0,
                    patience: Int = .max, minimumImprovement: Double = 0, pinned: Int = 0) {
            self.maximumIterations = maximumIterations
            self.targetCost = targetCost
            self.minimumStepGain = minimumStepGain
            self.patience = patience
            self.minimumImprovement = minimumImprovement
            self.pinned = pinned
        }
    }

    public struct Result: Sendable {
        public let parameters: [Double]
        /// ‖r‖² at `parameters`.
        public let cost: Double
        public let iterations: Int
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Minimises ‖residuals(θ)‖² from `start`; `jacobian(θ)` is ∂r/∂θ [residuals, parameters].
    /// A start with a non-finite cost comes back unchanged.
    public func minimize(_ start: [Double], residuals: ([Double]) throws -> [Double],
                         jacobian: ([Double]) throws -> Matrix<Double>) rethrows -> Result {
        var theta = start
        var r = try residuals(theta)
        var cost = r.reduce(0) { $0 + $1 * $1 }
        guard cost.isFinite else { return Result(parameters: start, cost: cost, iterations: 0) }
        var damping = 1e-3
        var history = [cost]
        var iterations = 0
        var system = DampedSystem(order: theta.count, pinned: options.pinned)
        while iterations < options.maximumIterations {
            iterations += 1
            let j = try jacobian(theta)
            let normal = j.gram
            let gradient = j.transposeMultiplied(by: Matrix(rows: r.count, columns: 1, scalars: r))
            var accepted = false, gain = 0.0
            // A non-finite system has no step at any damping.
            let finite = normal.firstNonFiniteIndex == nil && gradient.firstNonFiniteIndex == nil
            while finite && damping < 1e12 {
                guard let step = system.solve(normal, gradient.scalars, damping: damping) else { damping *= 4; continue }
                let trial = zip(theta, step).map { $0 - $1 }
                let trialResiduals = try residuals(trial)
                let trialCost = trialResiduals.reduce(0) { $0 + $1 * $1 }
                if trialCost < cost {
                    gain = cost - trialCost
                    (theta, r, cost) = (trial, trialResiduals, trialCost)
                    damping = max(damping / 3, 1e-15)
                    accepted = true
                    break
                }
                damping *= 4
            }
            history.append(cost)
            if !accepted || cost < options.targetCost || gain <= options.minimumStepGain * cost { break }
            if history.count > options.patience,
               cost > options.minimumImprovement * history[history.count - 1 - options.patience] { break }
        }
        return Result(parameters: theta, cost: cost, iterations: iterations)
    }
}

/// The damped normal equations of one minimisation, factorised in a buffer reused across tries
/// and iterations: at a few hundred parameters, copying and allocating the P² system cost more than
/// the factorisation.
private struct DampedSystem {
    let order: Int
    let pinned: Int
    var factor: [Double]

    init(order: Int, pinned: Int) {
        self.order = order
        self.pinned = min(pinned, order)
        factor = [Double](repeating: 0, count: order * order)
    }

    /// δ for (JᵀJ + λ·(diag JᵀJ + 1e-12))·δ = Jᵀr, pinned parameters held at a zero step (their
    /// rows and columns become the identity); nil when the system is not positive definite.
    mutating func solve(_ normal: Matrix<Double>, _ gradient: [Double], damping: Double) -> [Double]? {
        let p = order
        guard p > 0 else { return [] }
        factor.withUnsafeMutableBufferPointer { f in
            normal.scalars.withUnsafeBufferPointer { f.baseAddress!.update(from: $0.baseAddress!, count: p * p) }
            for i in 0..<p { f[i * p + i] += damping * (normal.scalars[i * p + i] + 1e-12) }
            for i in 0..<pinned {
                for k in 0..<p { f[i * p + k] = 0; f[k * p + i] = 0 }
                f[i * p + i] = 1
            }
        }
        var rhs = gradient
        for i in 0..<pinned { rhs[i] = 0 }
        return Cholesky.factorAndSolve(&factor, &rhs, order: p, columns: 1) == 0 ? rhs : nil
    }
}
