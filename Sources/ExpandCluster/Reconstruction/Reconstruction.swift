import ECCore
import ECEngine
import ECNumerics
import Foundation

/// Turns a layer's clusters into one neuron each, re-expresses the students' next layer in the
/// reconstructed basis (deep networks), and fits the readout of a finished hidden stack.
enum Reconstruction {
    /// The reconstructed layer: for each kept cluster, the one neuron fitted to what its
    /// representative's student computes with its members there (see `NeuronFit`). `inputs` are
    /// the layer's inputs on a sample of the probe set.
    static func layer(_ clustering: LayerClusteringResult, views: [Int: StudentLayerView], inputs: Matrix<Double>,
                      activation: Activation) -> DenseLayer<Double> {
        let neurons = clustering.representatives.indices.map { neuron(k: $0, clustering, views: views, inputs: inputs, activation: activation) }
        return DenseLayer(weight: Matrix(rows: neurons.count, columns: inputs.columns, scalars: neurons.flatMap(\.weight)),
                          bias: neurons.map(\.bias))
    }

    /// The neuron fitted to kept cluster `k`: to what its representative's student computes with
    /// its members there.
    static func neuron(k: Int, _ clustering: LayerClusteringResult, views: [Int: StudentLayerView], inputs: Matrix<Double>,
                       activation: Activation) -> (weight: [Double], bias: Double) {
        let view = views[clustering.representatives[k].student]!
        let fitted = NeuronFit.fit(members(of: view, in: k, clustering), inputs: inputs, activation: activation)
        return (Array(fitted.weight), fitted.bias)
    }

    /// The units of one student in reconstructed neuron `k`'s cluster.
    static func members(of view: StudentLayerView, in k: Int, _ clustering: LayerClusteringResult) -> [NeuronFit.Member] {
        (0..<view.incoming.rows).compactMap { j in
            guard clustering.assignment[NeuronReference(student: view.student, neuron: j)]?.neuron == k else { return nil }
            return NeuronFit.Member(weight: Array(view.incoming.row(j)), bias: view.bias[j],
                                    outgoing: (0..<view.outgoing.rows).map { view.outgoing[$0, j] })
        }
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
    /// [next, r̂]: column k is the least-squares weight of reconstructed neuron k in what the
    /// student's units of cluster k compute together, their constant part goes into the bias;
    /// units in no kept cluster are dropped.
    static func remapNextLayer(_ view: StudentLayerView, nextBias: [Double], clustering: LayerClusteringResult,
                               reconstructed: DenseLayer<Double>, inputs: Matrix<Double>,
                               activation: Activation) -> DenseLayer<Double> {
        var weight = Matrix<Double>(rows: view.outgoing.rows, columns: clustering.recoveredWidth)
        var bias = nextBias
        for k in 0..<clustering.recoveredWidth {
            let group = members(of: view, in: k, clustering)
            guard !group.isEmpty else { continue }
            let (outgoing, offset) = NeuronFit.project(group, onto: Array(reconstructed.weight.row(k)), bias: reconstructed.bias[k],
                                                       inputs: inputs, activation: activation)
            for o in 0..<view.outgoing.rows {
                weight[o, k] = outgoing[o]
                bias[o] += offset[o]
            }
        }
        return DenseLayer(weight: weight, bias: bias)
    }

    /// What the last of a stack of hidden layers computes on `inputs` [n, in]: [n, its width].
    static func features(of hidden: [DenseLayer<Double>], activation: Activation,
                         on inputs: Matrix<Double>) throws -> Matrix<Double> {
        // A network needs an output layer; a placeholder one is never applied here.
        let stack = try Network(activation: activation, layers: hidden + [DenseLayer(
            weight: Matrix(rows: 1, columns: hidden.last!.outputs), bias: [0])])
        return stack.hiddenActivations(inputs).last!
    }

    /// The linear readout (and, for even+linear classes, the affine skip term) that best fits
    /// the targets given the recovered hidden stack, by least squares in float64.
    static func fitReadout(hidden: [DenseLayer<Double>], activation: Activation, inputs: Matrix<Double>,
                           targets: Matrix<Double>, withSkip: Bool) throws -> Network<Double> {
        let features = try self.features(of: hidden, activation: activation, on: inputs)
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
            let contributions = StudentLayerView.contributions(of: activations, into: next)
            let largest = contributions.max() ?? 0
            let drop = contributions.indices.filter { contributions[$0] <= fraction * largest }
            // A layer that carries nothing at all keeps its neurons: the network needs a width.
            guard !drop.isEmpty, drop.count < contributions.count else { removed.append([]); continue }
            removed.append(drop)
            layers = removing(drop, fromHiddenLayer: l, of: layers, means: means)
        }
        return (try Network(activation: network.activation, layers: layers, skip: network.skip), removed)
    }

    /// `layers` without neurons `drop` of hidden layer `l`, each one's mean output (`means`,
    /// over the data) folded into the next layer's bias, so that the mean output is unchanged.
    static func removing(_ drop: [Int], fromHiddenLayer l: Int, of layers: [DenseLayer<Double>],
                         means: [Double]) -> [DenseLayer<Double>] {
        var layers = layers
        let next = layers[l + 1]
        let keep = (0..<layers[l].outputs).filter { !drop.contains($0) }
        var nextBias = next.bias
        for j in drop { for o in 0..<next.outputs { nextBias[o] += next.weight[o, j] * means[j] } }
        layers[l] = DenseLayer(weight: layers[l].weight.rows(keep), bias: keep.map { layers[l].bias[$0] })
        layers[l + 1] = DenseLayer(weight: next.weight.transposed.rows(keep).transposed, bias: nextBias)
        return layers
    }
}

extension Reconstruction {
    /// The neurons of the clusters that a looser size filter (`spare`, a cut at the same height)
    /// keeps beyond the reconstruction's own (`kept`), fitted like the reconstruction's, biggest
    /// cluster first: candidates for a teacher neuron that too few students held as one cluster.
    static func spareNeurons(_ spare: LayerClusteringResult, beyond kept: LayerClusteringResult,
                             views: [Int: StudentLayerView], inputs: Matrix<Double>,
                             activation: Activation) -> [(weight: [Double], bias: Double)] {
        spareIndices(spare, beyond: kept).map { neuron(k: $0, spare, views: views, inputs: inputs, activation: activation) }
    }

    /// The indices in `spare` of the clusters that `kept` (a stricter filter of the same cut)
    /// does not keep, biggest first.
    static func spareIndices(_ spare: LayerClusteringResult, beyond kept: LayerClusteringResult) -> [Int] {
        let taken = Set(kept.representatives)
        return spare.representatives.indices.filter { !taken.contains(spare.representatives[$0]) }
    }
}
