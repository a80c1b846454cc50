import ECCore
import ECNumerics

/// A hidden neuron's removal from a network, and what it costs on the data it was measured on.
struct NeuronRemoval {
    let layer: Int
    let neuron: Int
    let network: Network<Double>
    /// MSE / Var(y) of `network`.
    let relativeLoss: Double
}

extension Reconstruction {
    /// Backward elimination of redundant neurons of an exactly fitted network: while some
    /// neuron can go (see `removals`) with the MSE / Var(y) staying below `tolerance`, the
    /// neuron whose removal costs least goes. A teacher neuron costs at least its own output
    /// variance when removed (≥ 1e-6 of Var(y) even for tiny outgoing weights), while clusters
    /// of not-quite-converged units leave extra neurons that an exact network does not need.
    /// Returns the reduced network and, per hidden layer, the indices removed (in the original
    /// numbering).
    static func eliminateRedundant(_ network: Network<Double>, inputs: Matrix<Double>, targets: Matrix<Double>,
                                   tolerance: Double) throws -> (network: Network<Double>, removed: [[Int]]) {
        var current = network
        var survivors = SurvivingNeurons(network)
        while let best = try removals(from: current, inputs: inputs, targets: targets).first, best.relativeLoss < tolerance {
            survivors.remove(best.neuron, fromLayer: best.layer)
            current = best.network
        }
        return (current, survivors.removed)
    }

    /// Each hidden neuron's removal, cheapest first. A neuron of the last hidden layer goes with
    /// the readout (and skip term) refitted by least squares; one of an earlier layer with its
    /// output re-expressed in the next layer (see `removingByProjection`), the layers above
    /// unchanged (only a re-polish can re-fit them). Layers of one neuron keep it.
    static func removals(from network: Network<Double>, inputs: Matrix<Double>,
                         targets: Matrix<Double>) throws -> [NeuronRemoval] {
        let variance = max(targets.pooledVariance, .leastNormalMagnitude)
        let last = network.layers.count - 2
        let activations = network.hiddenActivations(inputs)
        var result = [NeuronRemoval]()
        for l in 0...last where network.layers[l].outputs > 1 {
            for j in 0..<network.layers[l].outputs {
                let candidate: Network<Double>
                if l == last {
                    let layers = removing([j], fromHiddenLayer: l, of: network.layers, means: activations[l].columnMeans)
                    candidate = try fitReadout(hidden: Array(layers.dropLast()), activation: network.activation, inputs: inputs,
                                               targets: targets, withSkip: network.skip != nil)
                } else {
                    let layers = removingByProjection(j, fromHiddenLayer: l, of: network.layers, activations: activations[l])
                    candidate = try Network(activation: network.activation, layers: layers, skip: network.skip)
                }
                result.append(NeuronRemoval(layer: l, neuron: j, network: candidate,
                                            relativeLoss: candidate(inputs).meanSquaredDifference(to: targets) / variance))
            }
        }
        return result.sorted { $0.relativeLoss < $1.relativeLoss }
    }

    /// `layers` without neuron j of hidden layer l, whose output the next layer gets instead as
    /// its least-squares combination of the layer's other neurons and a constant on
    /// `activations` (that layer's outputs on a sample). A duplicate whose outgoing weights were
    /// split with its twin goes into the twin exactly (a deep student can fit exactly with a
    /// teacher neuron held twice, which folding the mean into the bias cannot undo); a near-constant neuron goes into the bias as before. Degenerate features fall
    /// back to the bias alone.
    static func removingByProjection(_ j: Int, fromHiddenLayer l: Int, of layers: [DenseLayer<Double>],
                                     activations: Matrix<Double>) -> [DenseLayer<Double>] {
        let width = layers[l].outputs, others = (0..<width).filter { $0 != j }
        let features = Matrix(rows: activations.rows, columns: width, scalars: (0..<activations.rows).flatMap { r in
            others.map { activations[r, $0] } + [1]
        })
        let output = Matrix(rows: activations.rows, columns: 1, scalars: (0..<activations.rows).map { activations[$0, j] })
        guard let coefficients = try? LeastSquares.solve(features, output) else {
            return removing([j], fromHiddenLayer: l, of: layers, means: activations.columnMeans)
        }
        var adjusted = layers
        var next = layers[l + 1]
        for o in 0..<next.outputs {
            let share = next.weight[o, j]
            for (k, other) in others.enumerated() { next.weight[o, other] += share * coefficients[k, 0] }
            next.bias[o] += share * coefficients[width - 1, 0]
        }
        adjusted[l + 1] = next
        return removing([j], fromHiddenLayer: l, of: adjusted, means: Array(repeating: 0, count: width))
    }
}
