import ECCore
import Foundation

/// One neuron fitted to what a student's units along one direction compute together.
///
/// Well-trained students do not always hold exact copies of a teacher neuron: several units along
/// its w direction, with other norms and biases, can sum to it within 1e-7 (sigmoids with nearby
/// parameters), and cancelling groups grow along the same direction. What is sharp is the sum:
/// the one-dimensional function f(t) = Σᵢ aᵢ σ(wᵢ·x + bᵢ) of t = u·x. Fitting a single
/// a·σ(c·t + β) + e (+ k·t for even+linear classes, whose flipped units leave a linear part) to
/// it recovers the teacher neuron whichever way the student split it.
enum NeuronFit {
    struct Member {
        let weight: [Double]
        let bias: Double
        let outgoing: [Double]
    }

    struct Fitted {
        let weight: [Double]
        let bias: Double
        let outgoing: [Double]
        /// Constant part the fit moves into the next layer's bias.
        let offset: [Double]
        /// Squared error of the fit over the variance of f.
        let relativeResidual: Double
    }

    /// The best single neuron along the direction of the strongest member. `inputs` are the
    /// layer's inputs [S, in] on a sample of the probe set.
    static func fit(_ members: [Member], inputs: Matrix<Double>, activation: Activation) -> Fitted {
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
        let part = { (c: Double, beta: Double) in
            LinearPart(c: c, beta: beta, t: t, target: target, activation: activation, linear: linear)
        }
        var (c, beta) = start
        var current = part(c, beta)
        var damping = 1e-3
        for _ in 0..<100 {
            let hc = 1e-6 * max(abs(c), 1), hb = 1e-6 * max(abs(beta), 1)
            let rc = difference(part(c + hc, beta), part(c - hc, beta), 2 * hc)
            let rb = difference(part(c, beta + hb), part(c, beta - hb), 2 * hb)
            let r = current.residuals
            var (jcc, jcb, jbb, gc, gb) = (0.0, 0.0, 0.0, 0.0, 0.0)
            for i in r.indices {
                jcc += rc[i] * rc[i]; jcb += rc[i] * rb[i]; jbb += rb[i] * rb[i]
                gc += rc[i] * r[i]; gb += rb[i] * r[i]
            }
            var improved = false
            while damping < 1e10 {
                let a = jcc * (1 + damping) + 1e-300, d = jbb * (1 + damping) + 1e-300
                let det = a * d - jcb * jcb
                guard det > 0 else { damping *= 10; continue }
                let dc = (d * gc - jcb * gb) / det, db = (a * gb - jcb * gc) / det
                let trial = part(c - dc, beta - db)
                if trial.residual < current.residual {
                    c -= dc
                    beta -= db
                    let gain = current.residual - trial.residual
                    current = trial
                    damping = max(damping / 10, 1e-12)
                    improved = gain > 1e-15 * current.residual
                    break
                }
                damping *= 10
            }
            if !improved { break }
        }
        return (c, beta, current)
    }

    private static func difference(_ plus: LinearPart, _ minus: LinearPart, _ step: Double) -> [Double] {
        zip(plus.residuals, minus.residuals).map { ($0 - $1) / step }
    }
}

/// For fixed (c, β): the least-squares a, e (and k) of f ≈ a·σ(c·t + β) + e (+ k·t), per output.
struct LinearPart {
    let scale: [Double]
    let offset: [Double]
    /// Residuals, output-major, and their sum of squares.
    let residuals: [Double]
    let residual: Double

    init(c: Double, beta: Double, t: [Double], target: Matrix<Double>, activation: Activation, linear: Bool) {
        var phi = t.map { c * $0 + beta }
        phi.withUnsafeMutableBufferPointer { activation.apply(to: $0) }
        let columns = linear ? [phi, [Double](repeating: 1, count: t.count), t] : [phi, [Double](repeating: 1, count: t.count)]
        let p = columns.count
        // Normal equations, p ≤ 3, with a tiny ridge for a constant or collinear σ.
        var gram = [Double](repeating: 0, count: p * p)
        for i in 0..<p { for j in 0..<p { gram[i * p + j] = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 } } }
        let ridge = 1e-12 * (0..<p).reduce(0) { $0 + gram[$1 * p + $1] } / Double(p) + 1e-300
        for i in 0..<p { gram[i * p + i] += ridge }
        var scale = [Double](), offset = [Double](), residuals = [Double]()
        residuals.reserveCapacity(t.count * target.columns)
        for o in 0..<target.columns {
            let y = (0..<t.count).map { target[$0, o] }
            let rhs = columns.map { zip($0, y).reduce(0) { $0 + $1.0 * $1.1 } }
            let x = LinearPart.solve(gram, rhs, p)
            scale.append(x[0])
            offset.append(x[1])
            for s in 0..<t.count {
                var fit = 0.0
                for i in 0..<p { fit += x[i] * columns[i][s] }
                residuals.append(fit - y[s])
            }
        }
        self.scale = scale
        self.offset = offset
        self.residuals = residuals
        residual = residuals.reduce(0) { $0 + $1 * $1 }
    }

    /// Gaussian elimination with partial pivoting for a tiny dense system.
    private static func solve(_ matrix: [Double], _ rhs: [Double], _ p: Int) -> [Double] {
        var a = matrix, b = rhs
        for col in 0..<p {
            let pivot = (col..<p).max { abs(a[$0 * p + col]) < abs(a[$1 * p + col]) }!
            if pivot != col {
                for k in 0..<p { a.swapAt(col * p + k, pivot * p + k) }
                b.swapAt(col, pivot)
            }
            let d = a[col * p + col]
            guard d != 0 else { continue }
            for row in (col + 1)..<p {
                let f = a[row * p + col] / d
                for k in col..<p { a[row * p + k] -= f * a[col * p + k] }
                b[row] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: p)
        for row in stride(from: p - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<p { sum -= a[row * p + k] * x[k] }
            x[row] = a[row * p + row] != 0 ? sum / a[row * p + row] : 0
        }
        return x
    }
}
