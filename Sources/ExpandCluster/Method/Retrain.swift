import ECCore
import ECEngine

/// Deep networks, between layers: every student gets the rebuilt layers in place of its own up
/// to this one, its next layer re-expressed over the rebuilt neurons
/// (`Reconstruction.remapNextLayer`), and is re-trained with the rebuilt layers frozen, so that
/// its layers above adapt to them before the next layer is clustered.
struct Retrain<Scalar: Real>: Phase {
    /// The layer just rebuilt, from 1.
    let afterLayer: Int
    var id: PhaseID { .retrain(afterLayer: afterLayer) }

    func run(_ input: (clusters: LayerClusters, rebuilt: RebuiltLayer), in runner: PhaseRunner<Scalar>) throws -> TrainedBank<Scalar> {
        let (clusters, rebuilt) = input, l = afterLayer - 1
        let stack = clusters.students.rebuiltBelow + [rebuilt.layer]
        let bank = clusters.students.bank
        let remapped = try StudentBank<Double>(students: (0..<bank.count).map { n -> Network<Double> in
            var student = bank.student(n)
            student.layers.replaceSubrange(0...l, with: stack)
            student.layers[l + 1] = Reconstruction.remapNextLayer(
                clusters.views[n]!, nextBias: student.layers[l + 1].bias, clustering: rebuilt.clustering,
                reconstructed: rebuilt.layer, inputs: clusters.layerInputs, activation: runner.options.activation)
            return try Network(activation: student.activation, layers: student.layers)
        })
        return try runner.train(id, remapped.converted(to: Scalar.self), settings: runner.options.retraining,
                                rateScales: Self.rateScales(frozen: afterLayer, of: runner.options.hiddenLayers))
    }

    /// Rate multipliers that freeze the first `frozen` layers of a network of `hiddenLayers`
    /// hidden layers (and train the rest and the skip term).
    static func rateScales(frozen: Int, of hiddenLayers: Int) -> [Double] {
        Array(repeating: 0, count: frozen) + Array(repeating: 1, count: hiddenLayers + 1 - frozen)
    }
}
