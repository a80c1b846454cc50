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
        while iterations < options.maximumIterations {
            iterations += 1
            let j = try jacobian(theta)
            let normal = j.gram
            let gradient = j.transposeMultiplied(by: Matrix(rows: r.count, columns: 1, scalars: r))
            var accepted = false, gain = 0.0
            while damping < 1e12 {
                guard let step = solveDamped(normal, gradient, damping: damping) else { damping *= 4; continue }
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

    /// δ for the damped normal equations, pinned parameters held at a zero step (their rows and
    /// columns become the identity); nil when the system is not positive definite.
    private func solveDamped(_ normal: Matrix<Double>, _ gradient: Matrix<Double>, damping: Double) -> [Double]? {
        let p = normal.rows
        var a = normal, b = gradient
        for i in 0..<p { a[i, i] += damping * (normal[i, i] + 1e-12) }
        for i in 0..<min(options.pinned, p) {
            for k in 0..<p { a[i, k] = 0; a[k, i] = 0 }
            a[i, i] = 1
            b[i, 0] = 0
        }
        return try? Cholesky.solve(a, b).scalars
    }
}
