import ECCore

/// Near-duplicate hidden neurons of a recovered network, folded into their twins.
public enum DuplicateFolding {
    /// Folds near-duplicate hidden neurons of a fine-tuned network into their twins. Without
    /// polishing (float32 image runs) no fit is exact, so the exact-fit refinement cannot show a
    /// neuron redundant; but a teacher neuron that the students consistently hold as two units a
    /// few degrees apart comes back as two clusters, and so as two recovered neurons whose outputs
    /// over the probe sample correlate almost perfectly, far more than distinct teacher neurons
    /// do (Benchmarks/RESULTS.md, "Duplicate folding"). While a
    /// pair in a layer correlates (in absolute value, for sign-flipped twins) at `correlation` or
    /// more, the one of the two whose removal costs less on the sample goes, its output handed to
    /// the next layer as its least-squares combination of the others (`removingByProjection`).
    /// Returns the network and, per hidden layer, the indices removed (in its numbering).
    public static func fold(_ network: Network<Double>, sample: Matrix<Double>, sampleTargets: Matrix<Double>,
                            correlation: Double) throws -> (network: Network<Double>, removed: [[Int]]) {
        var current = network
        var survivors = SurvivingNeurons(network)
        for l in network.layers.indices.dropLast() {
            while current.layers[l].outputs > 1 {
                let activations = current.hiddenActivations(sample)[l]
                guard let pair = mostCorrelatedPair(activations), pair.correlation >= correlation else { break }
                let choices = try [pair.first, pair.second].map { j in
                    let layers = Reconstruction.removingByProjection(j, fromHiddenLayer: l, of: current.layers, activations: activations)
                    let candidate = try Network(activation: current.activation, layers: layers, skip: current.skip)
                    return (neuron: j, network: candidate, cost: candidate(sample).meanSquaredDifference(to: sampleTargets))
                }
                let cheaper = choices.min { $0.cost < $1.cost }!
                survivors.remove(cheaper.neuron, fromLayer: l)
                current = cheaper.network
            }
        }
        return (current, survivors.removed)
    }

    /// The two columns of `activations` [n, width] with the largest absolute correlation, and
    /// that correlation; constant columns take no part.
    static func mostCorrelatedPair(_ activations: Matrix<Double>) -> (first: Int, second: Int, correlation: Double)? {
        // Covariances from the centred columns (two passes): E[x²] − E[x]² cancels catastrophically
        // for the nearly constant outputs of saturated neurons.
        let means = activations.columnMeans, width = activations.columns
        var centred = activations
        for r in 0..<centred.rows { for c in 0..<width { centred[r, c] -= means[c] } }
        let products = centred.gram   // n · covariance [width, width]
        // A constant column centres to round-off, not to zero: it counts as constant below 1e-12 of its mean.
        let spread = (0..<width).map { j in
            let s = products[j, j].squareRoot()
            return s > 1e-12 * abs(means[j]) * Double(activations.rows).squareRoot() ? s : 0
        }
        var best: (first: Int, second: Int, correlation: Double)?
        for j in 0..<width where spread[j] > 0 {
            for k in (j + 1)..<width where spread[k] > 0 {
                let r = abs(products[j, k] / (spread[j] * spread[k]))
                if r > best?.correlation ?? -1 { best = (j, k, r) }
            }
        }
        return best
    }
}
