import ECCore

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
        var survivors = network.layers.dropLast().map { Array(0..<$0.outputs) }
        var removed = survivors.map { _ in [Int]() }
        while let best = try removals(from: current, inputs: inputs, targets: targets).first, best.relativeLoss < tolerance {
            removed[best.layer].append(survivors[best.layer].remove(at: best.neuron))
            current = best.network
        }
        return (current, removed.map { $0.sorted() })
    }

    /// Each hidden neuron's removal, cheapest first. A neuron of the last hidden layer goes with
    /// the readout (and skip term) refitted by least squares; one of an earlier layer with its
    /// mean output folded into the next layer's bias, the rest unchanged (only a re-polish can
    /// re-fit the layers above it). Layers of one neuron keep it.
    static func removals(from network: Network<Double>, inputs: Matrix<Double>,
                         targets: Matrix<Double>) throws -> [NeuronRemoval] {
        let variance = max(targets.pooledVariance, .leastNormalMagnitude)
        let last = network.layers.count - 2
        let activations = network.hiddenActivations(inputs)
        var result = [NeuronRemoval]()
        for l in 0...last where network.layers[l].outputs > 1 {
            let means = activations[l].columnMeans
            for j in 0..<network.layers[l].outputs {
                let layers = removing([j], fromHiddenLayer: l, of: network.layers, means: means)
                let candidate = l == last
                    ? try fitReadout(hidden: Array(layers.dropLast()), activation: network.activation, inputs: inputs,
                                     targets: targets, withSkip: network.skip != nil)
                    : try Network(activation: network.activation, layers: layers, skip: network.skip)
                result.append(NeuronRemoval(layer: l, neuron: j, network: candidate,
                                            relativeLoss: candidate(inputs).meanSquaredDifference(to: targets) / variance))
            }
        }
        return result.sorted { $0.relativeLoss < $1.relativeLoss }
    }
}
