import ECCore

/// A network's parameters as the polisher sees them: every layer's weight [out, in] (row-major)
/// and bias in order, then the skip weights Φ [out, in₀] if present (the skip's bias is part of
/// the output bias), flattened.
struct NetworkParameters {
    var values: [Double]
    let widths: [Int]
    let activation: Activation
    let hasSkip: Bool

    init(_ network: Network<Double>) {
        widths = network.widths
        activation = network.activation
        hasSkip = network.skip != nil
        var v = [Double]()
        for (l, layer) in network.layers.enumerated() {
            v += layer.weight.scalars
            let isOutput = l == network.layers.count - 1
            v += isOutput ? zip(layer.bias, network.skip?.bias ?? layer.bias.map { _ in 0 }).map { $0 + $1 } : layer.bias
        }
        if let skip = network.skip { v += skip.weight.scalars }
        values = v
    }

    var count: Int { values.count }
    private var layerCount: Int { widths.count - 1 }

    /// Where each layer's weight starts (its bias follows it), and at the end where the skip
    /// weights start: layerCount + 1 offsets.
    private var offsets: [Int] {
        (0..<layerCount).reduce(into: [0]) { offsets, l in offsets.append(offsets.last! + widths[l + 1] * (widths[l] + 1)) }
    }

    /// How many leading parameters belong to the first `layers` layers.
    func frozenCount(layers: Int) -> Int { offsets[min(layers, layerCount)] }

    /// The same network shape with other parameter values.
    func with(_ values: [Double]) -> NetworkParameters {
        var copy = self
        copy.values = values
        return copy
    }

    var network: Network<Double> {
        let offsets = self.offsets
        let layers = (0..<layerCount).map { l -> DenseLayer<Double> in
            let (o, i) = (widths[l + 1], widths[l])
            let start = offsets[l]
            return DenseLayer(weight: Matrix(rows: o, columns: i, scalars: Array(values[start ..< start + o * i])),
                              bias: Array(values[start + o * i ..< start + o * i + o]))
        }
        let outputs = widths[layerCount]
        let skip = hasSkip ? DenseLayer(weight: Matrix(rows: outputs, columns: widths[0], scalars: Array(values[offsets[layerCount]...])),
                                        bias: [Double](repeating: 0, count: outputs)) : nil
        return try! Network(activation: activation, layers: layers, skip: skip)
    }

    /// r = f(x) − y, sample-major.
    func residuals(_ x: Matrix<Double>, _ y: Matrix<Double>) -> [Double] {
        zip(network(x).scalars, y.scalars).map { $0 - $1 }
    }

    /// The Jacobian ∂f/∂θ [samples·outputs, P] of the outputs (sample-major, as the residuals),
    /// by backpropagating each output through the stored activations.
    func jacobian(_ x: Matrix<Double>) -> Matrix<Double> {
        let net = network
        // Forward pass keeping every layer's input (post-activation) and σ′.
        var inputs = [x], derivatives = [Matrix<Double>]()
        for layer in net.layers.dropLast() {
            var z = layer.apply(inputs.last!)
            var d = Matrix<Double>(rows: z.rows, columns: z.columns)
            z.scalars.withUnsafeMutableBufferPointer { zv in d.scalars.withUnsafeMutableBufferPointer { activation.apply(to: zv, derivatives: $0) } }
            inputs.append(z)
            derivatives.append(d)
        }
        let samples = x.rows, outputs = widths[layerCount], p = count, rows = samples * outputs
        let offsets = self.offsets
        var jacobian = [Double](repeating: 0, count: rows * p)
        jacobian.withUnsafeMutableBufferPointer { jacobian in
            for o in 0..<outputs {
                // δ for every layer and sample of output o: starts as the unit vector e_o.
                var delta = Matrix<Double>(rows: samples, columns: outputs)
                for s in 0..<samples { delta[s, o] = 1 }
                for l in stride(from: layerCount - 1, through: 0, by: -1) {
                    let (width, fanIn) = (widths[l + 1], widths[l])
                    let input = inputs[l]
                    for s in 0..<samples {
                        let row = jacobian.baseAddress! + (s * outputs + o) * p + offsets[l]
                        for j in 0..<width {
                            let dj = delta.scalars[s * width + j]
                            guard dj != 0 else { continue }
                            let weights = row + j * fanIn
                            for k in 0..<fanIn { weights[k] = dj * input.scalars[s * fanIn + k] }
                            row[width * fanIn + j] = dj
                        }
                    }
                    guard l > 0 else { break }
                    // δ_{l−1} = (δ_l · W_l) ⊙ σ′.
                    var below = delta.multipliedByTranspose(of: net.layers[l].weight.transposed)
                    for i in below.scalars.indices { below.scalars[i] *= derivatives[l - 1].scalars[i] }
                    delta = below
                }
                if hasSkip {
                    for s in 0..<samples {
                        let row = jacobian.baseAddress! + (s * outputs + o) * p + offsets[layerCount] + o * widths[0]
                        for k in 0..<widths[0] { row[k] = x.scalars[s * widths[0] + k] }
                    }
                }
            }
        }
        return Matrix(rows: rows, columns: p, scalars: jacobian)
    }
}
