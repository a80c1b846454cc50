import ECCore
import ECEngine

/// Step 1: N students with hidden widths ρ times the reference widths, trained on the probe set.
/// When ρ is not given, short pilot expansions along a ladder choose it first (`RhoSelection`).
/// Activations whose class leaves the linear part undetermined (even + linear) get a trainable
/// linear skip term, so that no neurons go to building it.
struct Expand<Scalar: Real>: Phase {
    struct Output {
        let rho: Double
        let pilots: [PilotResult]
        /// Hidden widths of every student.
        let widths: [Int]
        let trained: TrainedBank<Scalar>
    }

    var id: PhaseID { .expand }

    func run(_: Void, in runner: PhaseRunner<Scalar>) throws -> Output {
        let options = runner.options
        let rho: Double, pilots: [PilotResult]
        if let given = options.rho {
            (rho, pilots) = (given, [])
        } else {
            (rho, pilots) = try RhoSelection.choose(runner: runner)
            runner.progress(.note("chose ρ = \(PhaseID.format(rho))"))
            runner.progress(.phase(id))
        }
        let widths = options.studentWidths(rho: rho)
        let initial = try StudentBank<Scalar>.random(
            widths: [runner.data.inputs.columns] + widths + [runner.data.targets.columns], count: options.students,
            activation: options.activation, seed: options.seed, skip: options.activation.symmetry.needsAffineSkip)
        let trained = try runner.train(id, initial, settings: options.expansion)
        return Output(rho: rho, pilots: pilots, widths: widths, trained: trained)
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
