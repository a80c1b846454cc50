import ECCore
import ECEngine

/// A hidden layer rebuilt from its clusters.
struct RebuiltLayer {
    /// The clusters the layer's neurons come from, in the layer's order (grown ones last).
    let clustering: LayerClusteringResult
    let layer: DenseLayer<Double>
    let report: LayerReport
    /// Polished runs, last hidden layer: the neurons of the spare clusters, which the exact-fit
    /// refinement may add.
    let spares: [(weight: [Double], bias: Double)]
}

/// Step 2b: one neuron per kept cluster, fitted to what its representative's student computes
/// with its members (`NeuronFit`). Without polishing, a layer with a hidden layer after it also
/// takes spare clusters' neurons that the students' next layer reads (`SpanGrowth`); polished
/// runs leave that to the exact-fit refinement.
struct RebuildLayer<Scalar: Real>: Phase {
    /// From 1.
    let layer: Int
    var id: PhaseID { .rebuild(layer: layer) }

    func run(_ clusters: LayerClusters, in runner: PhaseRunner<Scalar>) throws -> RebuiltLayer {
        let options = runner.options, l = layer - 1, last = layer == options.hiddenLayers
        var report = LayerReport(clusters.kept)
        if !last, !options.polishes, let gain = options.clustering.spanGain {
            let growth = try SpanGrowth(students: clusters.students.bank, losses: clusters.students.losses, layer: l,
                                        sample: runner.sample, gain: gain)
                .grow(clusters.kept, spare: clusters.spare, views: clusters.views, layerInputs: clusters.layerInputs,
                      activation: options.activation)
            report.record(growth)
            if !growth.added.isEmpty {
                runner.progress(.note("layer \(layer): added \(growth.added.count) neuron(s) from clusters of fewer than ⌊γN⌋ students: what the students' next layer reads and the layer could not give went from \(String(format: "%.2e", growth.shareBefore)) to \(String(format: "%.2e", growth.shareAfter))"))
            }
            return RebuiltLayer(clustering: growth.clustering, layer: growth.layer, report: report, spares: [])
        }
        let rebuilt = Reconstruction.layer(clusters.kept, views: clusters.views, inputs: clusters.layerInputs,
                                           activation: options.activation)
        let spares = last && options.polishes
            ? Reconstruction.spareNeurons(clusters.spare, beyond: clusters.kept, views: clusters.views,
                                          inputs: clusters.layerInputs, activation: options.activation)
            : []
        return RebuiltLayer(clustering: clusters.kept, layer: rebuilt, report: report, spares: spares)
    }
}
