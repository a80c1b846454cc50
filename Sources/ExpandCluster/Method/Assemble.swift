import ECCore
import ECEngine

/// Step 3a: the rebuilt hidden layers with the readout (and, for even + linear classes, the
/// affine skip term) that best fits the probe set, by least squares in float64.
struct Assemble<Scalar: Real>: Phase {
    var id: PhaseID { .assemble }

    func run(_ hidden: [DenseLayer<Double>], in runner: PhaseRunner<Scalar>) throws -> Network<Double> {
        try Reconstruction.fitReadout(hidden: hidden, activation: runner.options.activation, inputs: runner.inputs,
                                      targets: runner.targets, withSkip: runner.options.activation.symmetry.needsAffineSkip)
    }
}

/// Step 3b: the whole recovered network trained on the probe set (the skip term at ten times the
/// rate): after assembly (round 0) and after each pruning round.
struct FineTune<Scalar: Real>: Phase {
    let round: Int
    var id: PhaseID { .fineTune(round: round) }

    func run(_ network: Network<Double>, in runner: PhaseRunner<Scalar>) throws -> TrainedBank<Scalar> {
        let hiddenLayers = runner.options.hiddenLayers
        return try runner.train(id, StudentBank<Scalar>(students: [network.converted(to: Scalar.self)]),
                                settings: runner.options.fineTuning,
                                rateScales: Array(repeating: 1, count: hiddenLayers + 1) + [10])
    }
}
