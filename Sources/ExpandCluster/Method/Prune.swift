import ECCore
import ECEngine

/// The recovered network after pruning, and what was removed.
struct Pruned<Scalar: Real> {
    /// The last fine-tuning's network (the first one's when nothing was removed).
    let final: TrainedBank<Scalar>
    let outcome: NeuronPruning.Outcome
    /// Epochs of all the fine-tunings, the first one included.
    let fineTuningEpochs: Int
}

/// Step 4: neurons that carry nothing go; in runs without polishing also near-duplicate twins
/// and neurons the network does without (`NeuronPruning`), each round followed by a fine-tuning.
/// Polished runs decide redundancy by exactness instead (`Refine`).
struct Prune<Scalar: Real>: Phase {
    var id: PhaseID { .prune }

    func run(_ tuned: TrainedBank<Scalar>, in runner: PhaseRunner<Scalar>) throws -> Pruned<Scalar> {
        let options = runner.options
        let pruning = NeuronPruning(sample: runner.sample, sampleTargets: runner.sampleTargets,
                                    negligibleFraction: options.clustering.negligibleContribution,
                                    duplicateCorrelation: options.polishes ? nil : options.clustering.duplicateCorrelation,
                                    removalLossFactor: options.polishes ? nil : options.clustering.removalLossFactor)
        var final = tuned, epochs = tuned.epochs
        let outcome = try pruning.run(tuned.bank.student(0).converted(to: Double.self), progress: runner.progress) { network, round in
            final = try runner.run(FineTune(round: round + 1), network)
            epochs += final.epochs
            return final.bank.student(0).converted(to: Double.self)
        }
        return Pruned(final: final, outcome: outcome, fineTuningEpochs: epochs)
    }
}
