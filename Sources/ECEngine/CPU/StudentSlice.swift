import ECCore

/// A contiguous range of students that one worker thread trains through a whole epoch. Students
/// are independent (the loss is a sum of per-student losses), so workers never synchronise
/// within an epoch, and the result does not depend on how students are split among threads.
///
/// Activations are stored sample-major, [B, n·width] for the slice's n students, so that the first
/// layer of all n students is a single matrix product with the shared inputs, and student s of a
/// later layer is the strided block starting at column s·width.
final class StudentSlice<T: Real>: @unchecked Sendable {
    let first: Int
    let count: Int
    let widths: [Int]
    let activation: Activation
    let batchCapacity: Int
    let loss: LossFunction

    /// Gathered minibatch: inputs [B, d], targets [B, outputs] or labels [B].
    let inputs: HostBuffer<T>
    let targets: HostBuffer<T>
    let labels: HostBuffer<Int32>
    /// Per layer: post-activation values (hidden) or outputs (last), [B, n·width].
    let values: [HostBuffer<T>]
    /// Per hidden layer: σ′ at the pre-activation, [B, n·width].
    let derivatives: [HostBuffer<T>]
    /// Per layer: ∂loss/∂pre-activation, [B, n·width].
    let deltas: [HostBuffer<T>]
    /// Per parameter tensor: gradient for the slice's students.
    let gradients: [HostBuffer<T>]
    /// Per student of the slice: running sum of squared errors (or cross-entropies).
    var lossSums: [Double]

    init(first: Int, count: Int, widths: [Int], activation: Activation, layout: ParameterLayout,
         batchCapacity: Int, loss: LossFunction) {
        self.first = first
        self.count = count
        self.widths = widths
        self.activation = activation
        self.batchCapacity = batchCapacity
        self.loss = loss
        let layers = widths.count - 1
        inputs = HostBuffer(count: batchCapacity * widths[0], value: 0)
        targets = HostBuffer(count: batchCapacity * widths[layers], value: 0)
        labels = HostBuffer(count: batchCapacity, value: 0)
        values = (1...layers).map { HostBuffer(count: batchCapacity * count * widths[$0], value: 0) }
        derivatives = (1..<layers).map { HostBuffer(count: batchCapacity * count * widths[$0], value: 0) }
        deltas = (1...layers).map { HostBuffer(count: batchCapacity * count * widths[$0], value: 0) }
        gradients = layout.tensors.map { HostBuffer(count: count * $0.countPerStudent, value: 0) }
        lossSums = [Double](repeating: 0, count: count)
    }

    var layerCount: Int { widths.count - 1 }

    /// Copies the samples at `indices` into the minibatch buffers.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func gather(_ indices: UnsafeBufferPointer<Int32>, from data: TrainingData<T>) {
        let d = widths[0], o = widths[layerCount]
        data.inputs.scalars.withUnsafeBufferPointer { x in
            for (row, index) in indices.enumerated() {
                (inputs.pointer + row * d).update(from: x.baseAddress! + Int(index) * d, count: d)
            }
        }
        if loss == .crossEntropy {
            for (row, index) in indices.enumerated() { labels.pointer[row] = data.labels[Int(index)] }
        } else {
            data.targets.scalars.withUnsafeBufferPointer { y in
                for (row, index) in indices.enumerated() {
                    (targets.pointer + row * o).update(from: y.baseAddress! + Int(index) * o, count: o)
                }
            }
        }
    }

    /// Forward pass of the slice's students on the first `rows` gathered samples.
    /// `parameters[t]` points at tensor t of student 0 of the whole bank.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward(rows: Int, parameters: [UnsafeMutablePointer<T>], layout: ParameterLayout) {
        let n = count
        for l in 0..<layerCount {
            let (inWidth, outWidth) = (widths[l], widths[l + 1])
            let weight = parameters[2 * l] + first * outWidth * inWidth
            let bias = parameters[2 * l + 1] + first * outWidth
            let out = values[l].pointer
            if l == 0 {
                // All students at once: X [B, d] · W₀ᵀ with W₀ the slice's [n·h, d] rows.
                T.gemm(m: rows, n: n * outWidth, k: inWidth,
                       GemmOperand(inputs.pointer, leadingDimension: inWidth),
                       GemmOperand(weight, leadingDimension: inWidth, transposed: true),
                       out, ldc: n * outWidth)
            } else {
                let input = values[l - 1].pointer
                for s in 0..<n {
                    T.gemm(m: rows, n: outWidth, k: inWidth,
                           GemmOperand(input + s * inWidth, leadingDimension: n * inWidth),
                           GemmOperand(weight + s * outWidth * inWidth, leadingDimension: inWidth, transposed: true),
                           out + s * outWidth, ldc: n * outWidth)
                }
            }
            if l == layerCount - 1, layout.tensors.count > 2 * layerCount {
                // The skip term: outputs += X · Φᵀ for all students at once.
                let skip = parameters[2 * layerCount] + first * outWidth * widths[0]
                T.gemm(m: rows, n: n * outWidth, k: widths[0],
                       GemmOperand(inputs.pointer, leadingDimension: widths[0]),
                       GemmOperand(skip, leadingDimension: widths[0], transposed: true),
                       beta: 1, out, ldc: n * outWidth)
            }
            addBias(bias, to: out, rows: rows, columns: n * outWidth,
                    derivatives: l < layerCount - 1 ? derivatives[l].pointer : nil)
        }
    }

    /// z += b row by row, then, for a hidden layer, σ(z) in place with σ′(z) stored aside.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private func addBias(_ bias: UnsafeMutablePointer<T>, to z: UnsafeMutablePointer<T>, rows: Int,
                         columns: Int, derivatives: UnsafeMutablePointer<T>?) {
        guard let derivatives else {
            for r in 0..<rows {
                let row = z + r * columns
                for c in 0..<columns { row[c] += bias[c] }
            }
            return
        }
        activation.dispatch(BiasActivationLoop(z: z, derivatives: derivatives, bias: bias, rows: rows, columns: columns))
    }
}

/// z ← σ(z + b), d ← σ′(z + b) over a row-major [rows, columns] block, b broadcast over rows.
struct BiasActivationLoop<T: Real>: ActivationLoop {
    let z: UnsafeMutablePointer<T>
    let derivatives: UnsafeMutablePointer<T>
    let bias: UnsafeMutablePointer<T>
    let rows: Int
    let columns: Int

    func run<F: ActivationFunction>(_: F.Type) {
        for r in 0..<rows {
            let row = z + r * columns, drow = derivatives + r * columns
            for c in 0..<columns {
                let (v, d) = F.valueAndDerivative(row[c] + bias[c])
                row[c] = v
                drow[c] = d
            }
        }
    }
}
