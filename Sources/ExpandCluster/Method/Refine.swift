import ECCore
import ECEngine

/// The recovered network after the exact-fit refinement.
struct Refined<Scalar: Real> {
    let final: TrainedBank<Scalar>
    /// Neurons added to the last hidden layer, and those removed per hidden layer.
    let added: Int
    let removed: [[Int]]
    /// Set when no exact network came from the clusters but an expanded student was exact.
    let reduction: StudentReduction?
}

/// Step 5 (polished runs): the polished recovered network grown by spare neurons until it fits
/// the probe set exactly, then reduced to the neurons an exact fit needs; when the clusters gave
/// no exact network, the best expanded student if it is exact, reduced (`ExactFitRefinement`).
struct Refine<Scalar: Real>: Phase {
    /// The last hidden layer's spare neurons.
    let spares: [(weight: [Double], bias: Double)]
    /// The expanded (polished) students.
    let expanded: TrainedBank<Scalar>
    var id: PhaseID { .refine }

    func run(_ polished: TrainedBank<Scalar>, in runner: PhaseRunner<Scalar>) throws -> Refined<Scalar> {
        let options = runner.options, variance = runner.variance
        guard let polish = options.fineTuning.polish else {
            return Refined(final: polished, added: 0, removed: [], reduction: nil)
        }
        let refinement = ExactFitRefinement(
            activation: options.activation, inputs: runner.inputs, targets: runner.targets, sample: runner.sample,
            sampleTargets: runner.sampleTargets, tolerance: options.redundancyTolerance,
            polish: { network in
                let bank = try StudentBank<Scalar>(students: [network.converted(to: Scalar.self)])
                // A network grown past the polishing limit cannot be shown exact.
                guard LevenbergMarquardt.applies(to: bank.converted(to: Double.self)) else { return (network, .infinity) }
                let result = try polishBank(TrainedBank(bank: bank, losses: [], epochs: 0, log: []), data: runner.data,
                                            options: polish, device: runner.device, configuration: options.fineTuning.engine())
                return (result.bank.student(0).converted(to: Double.self), result.losses[0] / variance)
            })
        let grown = try refinement.grow(polished.bank.student(0).converted(to: Double.self),
                                        relativeLoss: polished.losses[0] / variance, spares: spares)
        if grown.added > 0 { runner.progress(.note("added \(grown.added) neuron(s) from clusters of fewer than ⌊γN⌋ students: the fit became exact")) }
        let reduced = try refinement.eliminate(grown.network, relativeLoss: grown.relativeLoss)
        let removedCount = reduced.removed.reduce(0) { $0 + $1.count }
        if removedCount > 0 { runner.progress(.note("removed \(removedCount) redundant recovered neuron(s)")) }
        var result = (network: reduced.network, relativeLoss: reduced.relativeLoss)
        var reduction: StudentReduction?
        if reduced.relativeLoss >= ExactFitRefinement.exactLoss,
           let student = try refinement.reduceBestStudent(of: expanded.bank.converted(to: Double.self),
                                                          relativeLosses: expanded.losses.map { $0 / variance }) {
            runner.progress(.note("the clusters gave no exact network, but student \(student.reduction.student + 1) is exact: it is the recovered network, reduced from widths \(student.reduction.widths.map(String.init).joined(separator: ",")) to \(student.network.hiddenWidths.map(String.init).joined(separator: ","))"))
            result = (student.network, student.relativeLoss)
            reduction = student.reduction
        }
        let final = TrainedBank(bank: try StudentBank<Scalar>(students: [result.network.converted(to: Scalar.self)]),
                                losses: [result.relativeLoss * variance], epochs: polished.epochs, log: polished.log)
        return Refined(final: final, added: grown.added, removed: reduced.removed, reduction: reduction)
    }
}
