import ECCore
import ECEngine

/// Step 1: N students with hidden widths ρ times the reference widths, trained on the probe set.
/// Activations whose class leaves the linear part undetermined (even + linear) get a trainable
/// linear skip term, so that no neurons go to building it.
struct Expand<Scalar: Real>: Phase {
    struct Output {
        /// Hidden widths of every student.
        let widths: [Int]
        let trained: TrainedBank<Scalar>
    }

    let rho: Double
    var id: PhaseID { .expand }

    func run(_: Void, in runner: PhaseRunner<Scalar>) throws -> Output {
        let options = runner.options
        let widths = options.studentWidths(rho: rho)
        let initial = try StudentBank<Scalar>.random(
            widths: [runner.data.inputs.columns] + widths + [runner.data.targets.columns], count: options.students,
            activation: options.activation, seed: options.seed, skip: options.activation.symmetry.needsAffineSkip)
        let trained = try runner.train(id, initial, settings: options.expansion)
        return Output(widths: widths, trained: trained)
    }
}

/// Second-order polish of a trained bank (the expansion, the students re-trained after a layer,
/// or the recovered network), so that duplicates of a teacher neuron agree to a small fraction of
/// a degree and an exact fit shows as one.
struct Polish<Scalar: Real>: Phase {
    let id: PhaseID
    let settings: TrainingSettings
    /// Deep networks: the rebuilt layers below, which the polish leaves as they are.
    var frozenLayers = 0

    func run(_ trained: TrainedBank<Scalar>, in runner: PhaseRunner<Scalar>) throws -> TrainedBank<Scalar> {
        try runner.polish(id, trained, settings: settings, frozenLayers: frozenLayers)
    }
}
