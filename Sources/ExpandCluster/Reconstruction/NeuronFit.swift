import ECCore
import ECNumerics
import Foundation

/// One neuron fitted to what a student's units along one direction compute together.
///
/// Well-trained students do not always hold exact copies of a teacher neuron: several units along
/// its w direction, with other norms and biases, can sum to it within 1e-7 (sigmoids with nearby
/// parameters), and cancelling groups grow along the same direction. What is sharp is the sum:
/// the one-dimensional function f(t) = Σᵢ aᵢ σ(wᵢ·x + bᵢ) of t = u·x. Fitting a single
/// a·σ(c·t + β) + e (+ k·t for even+linear classes, whose flipped units leave a linear part) to
/// it recovers the teacher neuron whichever way the student split it.
public enum NeuronFit {
    /// One unit of a cluster: its incoming weights and bias, and its outgoing weights.
    public struct Member: Sendable {
        public let weight: [Double]
        public let bias: Double
        public let outgoing: [Double]

        public init(weight: [Double], bias: Double, outgoing: [Double]) {
            (self.weight, self.bias, self.outgoing) = (weight, bias, outgoing)
        }
    }

    public struct Fitted: Sendable {
        public let weight: [Double]
        public let bias: Double
        public let outgoing: [Double]
        /// Constant part the fit moves into the next layer's bias.
        public let offset: [Double]
        /// Squared error of the fit over the variance of f.
        public let relativeResidual: Double
    }

    /// The best single neuron along the direction of the strongest member. `inputs` are the
    /// layer's inputs [S, in] on a sample of the probe set.
    public static func fit(_ members: [Member], inputs: Matrix<Double>, activation: Activation) -> Fitted {
        let columns = members.map { column(of: $0, inputs: inputs, activation: activation) }
        let target = sum(members, columns: columns)
        let strengths = zip(members, columns).map { m, column in standardDeviation(column) * m.outgoing.euclideanNorm }
        let order = members.indices.sorted { strengths[$0] > strengths[$1] }
        let direction = unit(members[order[0]].weight)
        let t = project(inputs, on: direction)
        let linear = activation.symmetry.needsAffineSkip
        var best: (c: Double, beta: Double, solution: LinearPart)?
        for i in order.prefix(4) {
            let m = members[i]
            var dot = 0.0
            for k in direction.indices { dot += m.weight[k] * direction[k] }
            let start = (c: dot, beta: m.bias)
            let fitted = refine(start, t: t, target: target, activation: activation, linear: linear)
            if best == nil || fitted.solution.residual < best!.solution.residual { best = fitted }
        }
        let variance = target.pooledVariance * Double(target.scalars.count)
        return Fitted(weight: direction.map { $0 * best!.c }, bias: best!.beta, outgoing: best!.solution.scale,
                      offset: best!.solution.offset, relativeResidual: variance > 0 ? best!.solution.residual / variance : 0)
    }

    /// How much of neuron σ(θ·x) a group of units carries: the least-squares coefficients of
    /// f ≈ a·σ(θ·x) + e (+ k·t), returned as (a, e).
    static func project(_ members: [Member], onto weight: [Double], bias: Double, inputs: Matrix<Double>,
                        activation: Activation) -> (outgoing: [Double], offset: [Double]) {
        let target = sum(members, columns: members.map { column(of: $0, inputs: inputs, activation: activation) })
        let norm = weight.euclideanNorm
        let t = project(inputs, on: norm > 0 ? weight.map { $0 / norm } : weight)
        let solution = LinearPart(c: norm, beta: bias, t: t, target: target, activation: activation,
                                  linear: activation.symmetry.needsAffineSkip)
        return (solution.scale, solution.offset)
    }

    // MARK: pieces

    /// [S, outputs]: Σᵢ aᵢ σ(wᵢ·x + bᵢ), from each member's σ(wᵢ·x + bᵢ) over the S samples.
    private static func sum(_ members: [Member], columns: [[Double]]) -> Matrix<Double> {
        let outputs = members[0].outgoing.count, samples = columns[0].count
        var f = Matrix<Double>(rows: samples, columns: outputs)
        for (m, c) in zip(members, columns) {
            for s in 0..<samples { for o in 0..<outputs { f[s, o] += m.outgoing[o] * c[s] } }
        }
        return f
    }

    private static func column(of m: Member, inputs: Matrix<Double>, activation: Activation) -> [Double] {
        var z = project(inputs, on: m.weight).map { $0 + m.bias }
        z.withUnsafeMutableBufferPointer { activation.apply(to: $0) }
        return z
    }

    private static func project(_ inputs: Matrix<Double>, on v: [Double]) -> [Double] {
        inputs.multipliedByTranspose(of: Matrix(rows: 1, columns: v.count, scalars: v)).scalars
    }

    private static func unit(_ v: [Double]) -> [Double] {
        let n = v.euclideanNorm
        return n > 0 ? v.map { $0 / n } : v
    }

    private static func standardDeviation(_ v: [Double]) -> Double {
        let mean = v.reduce(0, +) / Double(max(v.count, 1))
        return (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(v.count, 1))).squareRoot()
    }

    /// Levenberg–Marquardt on (c, β) with the linear coefficients solved at every point
    /// (variable projection); the Jacobian by central differences, as there are only two.
    private static func refine(_ start: (c: Double, beta: Double), t: [Double], target: Matrix<Double>,
                               activation: Activation, linear: Bool) -> (c: Double, beta: Double, solution: LinearPart) {
        let part = { (theta: [Double]) in
            LinearPart(c: theta[0], beta: theta[1], t: t, target: target, activation: activation, linear: linear)
        }
        let driver = LevenbergMarquardtDriver(options: .init(maximumIterations: 100, minimumStepGain: 1e-15))
        let result = driver.minimize([start.c, start.beta], residuals: { part($0).residuals }, jacobian: { theta in
            let steps = theta.map { 1e-6 * max(abs($0), 1) }
            let columns = (0..<2).map { k in
                var plus = theta, minus = theta
                plus[k] += steps[k]
                minus[k] -= steps[k]
                return zip(part(plus).residuals, part(minus).residuals).map { ($0 - $1) / (2 * steps[k]) }
            }
            return Matrix(rows: columns[0].count, columns: 2, scalars: zip(columns[0], columns[1]).flatMap { [$0, $1] })
        })
        return (result.parameters[0], result.parameters[1], part(result.parameters))
    }
}

/// For fixed (c, β): the least-squares a, e (and k) of f ≈ a·σ(c·t + β) + e (+ k·t), per output.
struct LinearPart {
    let scale: [Double]
    let offset: [Double]
    /// Residuals, output-major, and their sum of squares (infinite when the fit fails).
    let residuals: [Double]
    let residual: Double

    init(c: Double, beta: Double, t: [Double], target: Matrix<Double>, activation: Activation, linear: Bool) {
        var phi = t.map { c * $0 + beta }
        phi.withUnsafeMutableBufferPointer { activation.apply(to: $0) }
        let p = linear ? 3 : 2, samples = t.count, outputs = target.columns
        var design = Matrix<Double>(rows: samples, columns: p, repeating: 1)
        for s in 0..<samples {
            design[s, 0] = phi[s]
            if linear { design[s, 2] = t[s] }
        }
        guard let x = try? LeastSquares.solve(design, target) else {
            scale = Array(repeating: 0, count: outputs)
            offset = scale
            residuals = Array(repeating: .infinity, count: samples * outputs)
            residual = .infinity
            return
        }
        let fit = design.multipliedByTranspose(of: x.transposed)   // [S, outputs]
        var residuals = [Double]()
        residuals.reserveCapacity(samples * outputs)
        for o in 0..<outputs { for s in 0..<samples { residuals.append(fit[s, o] - target[s, o]) } }
        scale = (0..<outputs).map { x[0, $0] }
        offset = (0..<outputs).map { x[1, $0] }
        self.residuals = residuals
        residual = residuals.reduce(0) { $0 + $1 * $1 }
    }
}
