import ECCore
import ECEngine
import Foundation

/// Turns a layer's clusters into one neuron each, re-expresses the students' next layer in the
/// reconstructed basis (deep networks), and fits the readout of a finished hidden stack.
enum Reconstruction {
    /// The reconstructed layer: each kept cluster's representative neuron as it is in its student.
    static func layer(_ clustering: LayerClusteringResult, views: [Int: StudentLayerView]) -> DenseLayer<Double> {
        let inputs = views.values.first!.incoming.columns
        var weight = Matrix<Double>(rows: clustering.recoveredWidth, columns: inputs)
        var bias = [Double](repeating: 0, count: clustering.recoveredWidth)
        for (k, rep) in clustering.representatives.enumerated() {
            let view = views[rep.student]!
            for i in 0..<inputs { weight[k, i] = view.incoming[rep.neuron, i] }
            bias[k] = view.bias[rep.neuron]
        }
        return DenseLayer(weight: weight, bias: bias)
    }

    /// How much of member j's output a reconstructed neuron carries: σ(θⱼ·x) = factor·σ(θ_rep·x)
    /// for exact duplicates (sign flips for odd classes, norm ratios for positive scaling).
    static func memberFactor(sign: Double, memberNorm: Double, representativeNorm: Double,
                             symmetry: SymmetryClass) -> Double {
        switch symmetry {
        case .odd, .oddConstant: sign
        case .evenLinearScaling: representativeNorm > 0 ? memberNorm / representativeNorm : 1
        case .evenLinear, .none: 1
        }
    }

    /// Student `view`'s next layer [next, width] rewritten over the reconstructed neurons
    /// [next, r̂]: each column the sum of the student's members' columns (scaled by their factor);
    /// neurons in no kept cluster are dropped. Also returns the bias shift that flipped sigmoid
    /// members leave behind (σ(−z) = 1 − σ(z)).
    static func remapNextLayer(_ view: StudentLayerView, nextBias: [Double], clustering: LayerClusteringResult,
                               reconstructed: DenseLayer<Double>, symmetry: SymmetryClass) -> DenseLayer<Double> {
        var weight = Matrix<Double>(rows: view.outgoing.rows, columns: clustering.recoveredWidth)
        var bias = nextBias
        for j in 0..<view.incoming.rows {
            guard let (k, sign) = clustering.assignment[NeuronReference(student: view.student, neuron: j)] else { continue }
            let memberNorm = norm(Array(view.incoming.row(j)) + [view.bias[j]])
            let repNorm = norm(Array(reconstructed.weight.row(k)) + [reconstructed.bias[k]])
            let factor = memberFactor(sign: sign, memberNorm: memberNorm, representativeNorm: repNorm, symmetry: symmetry)
            for o in 0..<view.outgoing.rows {
                weight[o, k] += factor * view.outgoing[o, j]
                if symmetry == .oddConstant, sign < 0 { bias[o] += view.outgoing[o, j] }
            }
        }
        return DenseLayer(weight: weight, bias: bias)
    }

    /// The linear readout (and, for even+linear classes, the affine skip term) that best fits
    /// the targets given the recovered hidden stack, by least squares in float64.
    static func fitReadout(hidden: [DenseLayer<Double>], activation: Activation, inputs: Matrix<Double>,
                           targets: Matrix<Double>, withSkip: Bool) throws -> Network<Double> {
        let probe = try Network(activation: activation, layers: hidden + [DenseLayer(
            weight: Matrix(rows: 1, columns: hidden.last!.outputs), bias: [0])])
        let features = probe.hiddenActivations(inputs).last!
        let width = features.columns, d = inputs.columns
        let columns = width + (withSkip ? d : 0) + 1
        var design = Matrix<Double>(rows: inputs.rows, columns: columns)
        for r in 0..<inputs.rows {
            for c in 0..<width { design[r, c] = features[r, c] }
            if withSkip { for c in 0..<d { design[r, width + c] = inputs[r, c] } }
            design[r, columns - 1] = 1
        }
        let solution = try LeastSquares.solve(design, targets)   // [columns, outputs]
        let outputs = targets.columns
        var readout = Matrix<Double>(rows: outputs, columns: width)
        var skip = Matrix<Double>(rows: outputs, columns: d)
        var bias = [Double](repeating: 0, count: outputs)
        for o in 0..<outputs {
            for c in 0..<width { readout[o, c] = solution[c, o] }
            if withSkip { for c in 0..<d { skip[o, c] = solution[width + c, o] } }
            bias[o] = solution[columns - 1, o]
        }
        return try Network(activation: activation, layers: hidden + [DenseLayer(weight: readout, bias: bias)],
                           skip: withSkip ? DenseLayer(weight: skip, bias: [Double](repeating: 0, count: outputs)) : nil)
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}

extension Reconstruction {
    /// Removes hidden neurons that carry (almost) nothing: a neuron whose contribution
    /// ‖outgoing‖ · std(activation) over `sample` is below `fraction` of the largest in its layer
    /// is replaced by its mean output, folded into the next layer's bias. Such neurons pass the
    /// clustering when many students share one near-constant unit (w ≈ 0 in a consistent
    /// direction); they are not teacher neurons. Returns the pruned network and, per hidden
    /// layer, the indices removed.
    static func pruneNegligible(_ network: Network<Double>, sample: Matrix<Double>,
                                fraction: Double) throws -> (network: Network<Double>, removed: [[Int]]) {
        var layers = network.layers
        var removed = [[Int]]()
        for l in 0..<layers.count - 1 {
            let current = try Network(activation: network.activation, layers: layers)
            let activations = current.hiddenActivations(sample)[l]
            let means = activations.columnMeans
            let next = layers[l + 1]
            let contributions = (0..<activations.columns).map { j -> Double in
                var variance = 0.0
                for r in 0..<activations.rows { variance += (activations[r, j] - means[j]) * (activations[r, j] - means[j]) }
                let outgoing = (0..<next.outputs).reduce(0.0) { $0 + next.weight[$1, j] * next.weight[$1, j] }
                return (outgoing * variance / Double(max(activations.rows, 1))).squareRoot()
            }
            let largest = contributions.max() ?? 0
            let drop = contributions.indices.filter { contributions[$0] <= fraction * largest }
            removed.append(drop)
            guard !drop.isEmpty, drop.count < contributions.count else { continue }
            let keep = contributions.indices.filter { !drop.contains($0) }
            var nextBias = next.bias
            for j in drop { for o in 0..<next.outputs { nextBias[o] += next.weight[o, j] * means[j] } }
            layers[l] = DenseLayer(weight: layers[l].weight.rows(keep), bias: keep.map { layers[l].bias[$0] })
            layers[l + 1] = DenseLayer(weight: next.weight.transposed.rows(keep).transposed, bias: nextBias)
        }
        return (try Network(activation: network.activation, layers: layers, skip: network.skip), removed)
    }
}
