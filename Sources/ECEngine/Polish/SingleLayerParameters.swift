import CBLAS
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

    /// JᵀJ [P, P] (row-major, full) and Jᵀr [P] for the residuals r = f(x) − y, one Jacobian
    /// row per sample and output.
    func normalEquations(_ x: Matrix<Double>, _ y: Matrix<Double>, activation: Activation) -> (normal: [Double], gradient: [Double]) {
        var h = preActivations(x)
        var d = Matrix<Double>(rows: h.rows, columns: h.columns)
        h.scalars.withUnsafeMutableBufferPointer { hv in
            d.scalars.withUnsafeMutableBufferPointer { activation.apply(to: hv, derivatives: $0) }
        }
        let stride = inputs + 1
        let p = count, samples = x.rows, rows = samples * outputs
        var jacobian = [Double](repeating: 0, count: rows * p)
        var residuals = [Double](repeating: 0, count: rows)
        jacobian.withUnsafeMutableBufferPointer { jacobian in
            values.withUnsafeBufferPointer { theta in
                for s in 0..<samples {
                    let xs = s * inputs, hs = s * hidden
                    for o in 0..<outputs {
                        let row = jacobian.baseAddress! + (s * outputs + o) * p
                        var out = theta[biasOffset + o]
                        for j in 0..<hidden {
                            let vj = theta[readoutOffset + o * hidden + j]
                            let hj = h.scalars[hs + j]
                            out += vj * hj
                            let factor = vj * d.scalars[hs + j]
                            for k in 0..<inputs { row[j * stride + k] = factor * x.scalars[xs + k] }
                            row[j * stride + inputs] = factor
                            row[readoutOffset + o * hidden + j] = hj
                        }
                        row[biasOffset + o] = 1
                        if hasSkip {
                            for k in 0..<inputs {
                                out += theta[skipOffset + o * inputs + k] * x.scalars[xs + k]
                                row[skipOffset + o * inputs + k] = x.scalars[xs + k]
                            }
                        }
                        residuals[s * outputs + o] = out - y.scalars[s * outputs + o]
                    }
                }
            }
        }
        var normal = [Double](repeating: 0, count: p * p)
        var gradient = [Double](repeating: 0, count: p)
        jacobian.withUnsafeBufferPointer { j in
            normal.withUnsafeMutableBufferPointer { n in
                // JᵀJ into the upper triangle (half the work of a general product), then mirrored.
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(p), Int32(rows), 1, j.baseAddress!, Int32(p),
                            0, n.baseAddress!, Int32(p))
                for r in 0..<p { for c in 0..<r { n[r * p + c] = n[c * p + r] } }
            }
            residuals.withUnsafeBufferPointer { r in
                gradient.withUnsafeMutableBufferPointer { g in
                    cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(p), 1, j.baseAddress!, Int32(p),
                                r.baseAddress!, 1, 0, g.baseAddress!, 1)
                }
            }
        }
        return (normal, gradient)
    }
}
