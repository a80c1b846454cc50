import ECCore
import Foundation

extension StudentSlice {
    /// Adds each student's summed loss over the first `rows` samples to `lossSums` and, when
    /// `withGradient`, writes ∂(mean loss)/∂output into the last layer's deltas.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func accumulateLoss(rows: Int, withGradient: Bool) {
        let n = count, o = widths[layerCount]
        let out = values[layerCount - 1].pointer, delta = deltas[layerCount - 1].pointer
        switch loss {
        case .meanSquaredError:
            let scale = T(2) / T(rows * o)
            for s in 0..<n {
                var sum: T = 0
                for r in 0..<rows {
                    let row = out + r * n * o + s * o, drow = delta + r * n * o + s * o
                    let y = targets.pointer + r * o
                    for k in 0..<o {
                        let diff = row[k] - y[k]
                        sum += diff * diff
                        if withGradient { drow[k] = scale * diff }
                    }
                }
                lossSums[s] += Double(sum)
            }
        case .crossEntropy:
            let scale = 1 / T(rows)
            for s in 0..<n {
                var sum = 0.0
                for r in 0..<rows {
                    let logits = out + r * n * o + s * o, drow = delta + r * n * o + s * o
                    var top = logits[0]
                    for k in 1..<o { top = Swift.max(top, logits[k]) }
                    var total: T = 0
                    for k in 0..<o { total += T.exp(logits[k] - top) }
                    let label = Int(labels.pointer[r])
                    sum += Double(T.log(total) + top - logits[label])
                    if withGradient {
                        for k in 0..<o { drow[k] = scale * (T.exp(logits[k] - top) / total - (k == label ? 1 : 0)) }
                    }
                }
                lossSums[s] += sum
            }
        }
    }

    /// Gradients of every trainable tensor from the output deltas, propagating down to the lowest
    /// layer whose learning-rate scale is not zero.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward(rows: Int, parameters: [UnsafeMutablePointer<T>], layout: ParameterLayout,
                  configuration: EngineConfiguration) {
        let n = count
        let trainable = (0...layerCount).map { configuration.scale(forLayer: $0) != 0 }
        guard let lowest = trainable.firstIndex(of: true) else { return }
        let hasSkip = layout.tensors.count > 2 * layerCount
        if hasSkip, trainable[layerCount] {
            // ∂Φ = Δ_Lᵀ · X for all students at once.
            T.gemm(m: n * widths[layerCount], n: widths[0], k: rows,
                   GemmOperand(deltas[layerCount - 1].pointer, leadingDimension: n * widths[layerCount], transposed: true),
                   GemmOperand(inputs.pointer, leadingDimension: widths[0]),
                   gradients[2 * layerCount].pointer, ldc: widths[0])
        }
        for l in stride(from: layerCount - 1, through: min(lowest, layerCount - 1), by: -1) {
            let (inWidth, outWidth) = (widths[l], widths[l + 1])
            let delta = deltas[l].pointer
            if trainable[l] {
                let weightGradient = gradients[2 * l].pointer
                if l == 0 {
                    T.gemm(m: n * outWidth, n: inWidth, k: rows,
                           GemmOperand(delta, leadingDimension: n * outWidth, transposed: true),
                           GemmOperand(inputs.pointer, leadingDimension: inWidth),
                           weightGradient, ldc: inWidth)
                } else {
                    let input = values[l - 1].pointer
                    for s in 0..<n {
                        T.gemm(m: outWidth, n: inWidth, k: rows,
                               GemmOperand(delta + s * outWidth, leadingDimension: n * outWidth, transposed: true),
                               GemmOperand(input + s * inWidth, leadingDimension: n * inWidth),
                               weightGradient + s * outWidth * inWidth, ldc: inWidth)
                    }
                }
                sumColumns(delta, rows: rows, columns: n * outWidth, into: gradients[2 * l + 1].pointer)
            }
            if l > lowest {
                // Δ_{l−1} = (Δ_l · W_l) ⊙ σ′ per student.
                let weight = parameters[2 * l] + first * outWidth * inWidth
                let below = deltas[l - 1].pointer
                for s in 0..<n {
                    T.gemm(m: rows, n: inWidth, k: outWidth,
                           GemmOperand(delta + s * outWidth, leadingDimension: n * outWidth),
                           GemmOperand(weight + s * outWidth * inWidth, leadingDimension: inWidth),
                           below + s * inWidth, ldc: n * inWidth)
                }
                let derivative = derivatives[l - 1].pointer
                for i in 0..<rows * n * inWidth { below[i] *= derivative[i] }
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private func sumColumns(_ matrix: UnsafeMutablePointer<T>, rows: Int, columns: Int,
                            into out: UnsafeMutablePointer<T>) {
        out.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = matrix + r * columns
            for c in 0..<columns { out[c] += row[c] }
        }
    }

    /// One optimiser update of the slice's students. `learningRates` is indexed by student of
    /// the whole bank; `step` is the update number counting from 1.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func update(parameters: [UnsafeMutablePointer<T>], firstMoments: [UnsafeMutablePointer<T>],
                secondMoments: [UnsafeMutablePointer<T>], layout: ParameterLayout,
                configuration: EngineConfiguration, learningRates: [Double], step: Int) {
        for (t, tensor) in layout.tensors.enumerated() {
            let layerScale = configuration.scale(forLayer: tensor.layer)
            let c = tensor.countPerStudent
            for s in 0..<count {
                let lr = learningRates[first + s] * layerScale
                guard lr != 0 else { continue }
                let offset = (first + s) * c
                let p = parameters[t] + offset, g = gradients[t].pointer + s * c
                switch configuration.optimizer {
                case .sgd:
                    let rate = T(lr)
                    for j in 0..<c { p[j] -= rate * g[j] }
                case .adam(let beta1, let beta2, let epsilon):
                    AdamRule(beta1: beta1, beta2: beta2, epsilon: epsilon, learningRate: lr, step: step)
                        .apply(parameters: p, gradients: g, first: firstMoments[t] + offset,
                               second: secondMoments[t] + offset, count: c)
                }
            }
        }
    }
}

/// One Adam update as PyTorch computes it: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
public struct AdamRule: Sendable {
    public let beta1: Double, beta2: Double, epsilon: Double
    /// lr / (1 − β₁ᵗ).
    public let stepSize: Double
    /// 1 / √(1 − β₂ᵗ).
    public let inverseRootCorrection: Double

    public init(beta1: Double, beta2: Double, epsilon: Double, learningRate: Double, step: Int) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        stepSize = learningRate / (1 - pow(beta1, Double(step)))
        inverseRootCorrection = 1 / (1 - pow(beta2, Double(step))).squareRoot()
    }

    @inlinable
    public func apply<T: Real>(parameters p: UnsafeMutablePointer<T>, gradients g: UnsafePointer<T>,
                               first m: UnsafeMutablePointer<T>, second v: UnsafeMutablePointer<T>, count: Int) {
        let b1 = T(beta1), b2 = T(beta2), eps = T(epsilon)
        let oneMinusB1 = 1 - b1, oneMinusB2 = 1 - b2
        let size = T(stepSize), correction = T(inverseRootCorrection)
        for j in 0..<count {
            let gj = g[j]
            let mj = b1 * m[j] + oneMinusB1 * gj
            let vj = b2 * v[j] + oneMinusB2 * gj * gj
            m[j] = mj
            v[j] = vj
            p[j] -= size * mj / (vj.squareRoot() * correction + eps)
        }
    }
}
