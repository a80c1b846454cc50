import ECCore

/// The parameters of a one-hidden-layer network as the polisher sees them: incoming [w; b] per
/// hidden neuron (A, [h, d+1]), readout V [o, h], output bias c [o] and, if present, the skip
/// weights Φ [o, d] (the skip's bias is part of c), flattened in that order.
struct SingleLayerParameters {
    var values: [Double]
    let inputs: Int, hidden: Int, outputs: Int
    let hasSkip: Bool

    init(_ network: Network<Double>) {
        let (layer, readout) = (network.layers[0], network.layers[1])
        inputs = layer.inputs
        hidden = layer.outputs
        outputs = readout.outputs
        hasSkip = network.skip != nil
        var v = [Double]()
        v.reserveCapacity(hidden * (inputs + 1) + outputs * (hidden + 1 + inputs))
        for j in 0..<hidden { v += layer.weight.row(j); v.append(layer.bias[j]) }
        v += readout.weight.scalars
        v += zip(readout.bias, network.skip?.bias ?? readout.bias.map { _ in 0 }).map { $0 + $1 }
        if let skip = network.skip { v += skip.weight.scalars }
        values = v
    }

    /// Offset of the readout V; c follows it, then Φ.
    private var readoutOffset: Int { hidden * (inputs + 1) }
    private var biasOffset: Int { readoutOffset + outputs * hidden }
    private var skipOffset: Int { biasOffset + outputs }

    var count: Int { values.count }

    mutating func add(_ step: [Double], scale: Double) {
        for i in values.indices { values[i] += scale * step[i] }
    }

    func network(activation: Activation) -> Network<Double> {
        let stride = inputs + 1
        var weight = Matrix<Double>(rows: hidden, columns: inputs)
        var bias = [Double](repeating: 0, count: hidden)
        for j in 0..<hidden {
            for k in 0..<inputs { weight[j, k] = values[j * stride + k] }
            bias[j] = values[j * stride + inputs]
        }
        let readout = Matrix(rows: outputs, columns: hidden, scalars: Array(values[readoutOffset ..< biasOffset]))
        let outputBias = Array(values[biasOffset ..< skipOffset])
        let skip = hasSkip ? DenseLayer(weight: Matrix(rows: outputs, columns: inputs, scalars: Array(values[skipOffset...])),
                                        bias: [Double](repeating: 0, count: outputs)) : nil
        return try! Network(activation: activation, layers: [DenseLayer(weight: weight, bias: bias),
                                                             DenseLayer(weight: readout, bias: outputBias)], skip: skip)
    }

    /// Pre-activations Z = X·Wᵀ + b [S, h].
    private func preActivations(_ x: Matrix<Double>) -> Matrix<Double> {
        network(activation: .identity).layers[0].apply(x)
    }

    func meanSquaredError(_ x: Matrix<Double>, _ y: Matrix<Double>, activation: Activation) -> Double {
        let out = network(activation: activation)(x)
        var sum = 0.0
        for (a, b) in zip(out.scalars, y.scalars) { sum += (a - b) * (a - b) }
        return sum / Double(y.scalars.count)
    }

    /// JᵀJ [P, P] (row-major) and Jᵀr [P] for the residuals r = f(x) − y, one Jacobian row per
    /// sample and output.
    func normalEquations(_ x: Matrix<Double>, _ y: Matrix<Double>, activation: Activation) -> (normal: [Double], gradient: [Double]) {
        var h = preActivations(x)
        var d = Matrix<Double>(rows: h.rows, columns: h.columns)
        h.scalars.withUnsafeMutableBufferPointer { hv in
            d.scalars.withUnsafeMutableBufferPointer { activation.apply(to: hv, derivatives: $0) }
        }
        let stride = inputs + 1
        let p = count, samples = x.rows
        var jacobian = [Double](repeating: 0, count: samples * outputs * p)
        var residuals = [Double](repeating: 0, count: samples * outputs)
        for s in 0..<samples {
            for o in 0..<outputs {
                let row = (s * outputs + o) * p
                var out = values[biasOffset + o]
                for j in 0..<hidden {
                    let vj = values[readoutOffset + o * hidden + j]
                    let hj = h[s, j]
                    out += vj * hj
                    let factor = vj * d[s, j]
                    for k in 0..<inputs { jacobian[row + j * stride + k] = factor * x[s, k] }
                    jacobian[row + j * stride + inputs] = factor
                    jacobian[row + readoutOffset + o * hidden + j] = hj
                }
                jacobian[row + biasOffset + o] = 1
                if hasSkip {
                    for k in 0..<inputs {
                        out += values[skipOffset + o * inputs + k] * x[s, k]
                        jacobian[row + skipOffset + o * inputs + k] = x[s, k]
                    }
                }
                residuals[s * outputs + o] = out - y[s, o]
            }
        }
        let rows = samples * outputs
        var normal = [Double](repeating: 0, count: p * p)
        var gradient = [Double](repeating: 0, count: p)
        jacobian.withUnsafeBufferPointer { j in
            normal.withUnsafeMutableBufferPointer { n in
                Double.gemm(m: p, n: p, k: rows, GemmOperand(j.baseAddress!, leadingDimension: p, transposed: true),
                            GemmOperand(j.baseAddress!, leadingDimension: p), n.baseAddress!, ldc: p)
            }
            residuals.withUnsafeBufferPointer { r in
                gradient.withUnsafeMutableBufferPointer { g in
                    Double.gemm(m: p, n: 1, k: rows, GemmOperand(j.baseAddress!, leadingDimension: p, transposed: true),
                                GemmOperand(r.baseAddress!, leadingDimension: 1), g.baseAddress!, ldc: 1)
                }
            }
        }
        return (normal, gradient)
    }
}
