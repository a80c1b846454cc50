import ECCore
import ECDistributed
import ECEngine
import Foundation

/// What `identify` produced.
public struct IdentifyResult: Sendable {
    public let recovered: Network<Double>
    /// The expanded students as trained (before any reconstruction).
    public let students: StudentBank<Double>
    public var report: IdentifyReport
}

/// Expand-and-Cluster end to end: probe set in, recovered network out. `run` reads as the
/// method's steps, each a `Phase` in its own file, run by one `PhaseRunner`.
public struct Identification {
    public let options: IdentifyOptions
    public let store: IdentificationStore?
    /// Asked before every phase and after every training epoch; true stops the run there with
    /// `RunStopped`.
    public let stopRequested: StopRequest
    /// The ranks of an MPI job that run this identification together (each calls `run`).
    public let ranks: Ranks

    public init(options: IdentifyOptions, store: IdentificationStore? = nil, stopRequested: @escaping StopRequest = { false },
                ranks: Ranks = .single) {
        self.options = options
        self.store = store
        self.stopRequested = stopRequested
        self.ranks = ranks
    }

    /// Identifies the network behind `targets` = f(`inputs`), and compares it with `target`'s
    /// teacher when one is given. The report's times are summed over every process that worked
    /// on the run (with a store).
    public func run(inputs: Matrix<Double>, targets: Matrix<Double>, compareWith target: ComparisonTarget? = nil,
                    device: BackendChoice.Resolved? = nil,
                    progress: @escaping (ProgressEvent) -> Void = { _ in }) throws -> IdentifyResult {
        try run(inputs: inputs, targets: targets, compareWith: target, device: device, clock: PhaseClock(store: store),
                progress: progress)
    }

    /// As `run`, timed by `clock`, which a caller starts before loading the data so that the
    /// total covers it.
    func run(inputs: Matrix<Double>, targets: Matrix<Double>, compareWith target: ComparisonTarget?,
             device: BackendChoice.Resolved?, clock: PhaseClock,
             progress: @escaping (ProgressEvent) -> Void) throws -> IdentifyResult {
        try options.validate(inputs: inputs.columns)
        let device = try device ?? options.backend.resolve(precision: options.precision)
        do {
            var result = switch options.precision {
            case .float32: try run(Float.self, inputs: inputs, targets: targets, target: target, device: device, clock: clock, progress: progress)
            case .float64: try run(Double.self, inputs: inputs, targets: targets, target: target, device: device, clock: clock, progress: progress)
            }
            try clock.finish()
            result.report.phaseSeconds = clock.seconds
            return result
        } catch {
            try? clock.finish()   // a stop between phases keeps this process's time
            throw error
        }
    }

    private func run<T: Real>(_: T.Type, inputs: Matrix<Double>, targets: Matrix<Double>, target: ComparisonTarget?,
                              device: BackendChoice.Resolved, clock: PhaseClock,
                              progress: @escaping (ProgressEvent) -> Void) throws -> IdentifyResult {
        let runner = try PhaseRunner<T>(options: options, inputs: inputs, targets: targets, device: device, store: store,
                                        clock: clock, stopRequested: stopRequested, ranks: ranks, progress: progress)
        // 1. Expand: N students wider than the teacher (by ρ, chosen by pilot runs when not
        //    given), trained, then polished.
        let (rho, pilots) = try options.rho.map { ($0, []) } ?? RhoSelection.choose(runner: runner)
        let expansion = try runner.run(Expand(rho: rho), ())
        var expanded = expansion.trained
        if options.polishes { expanded = try runner.run(Polish(id: .polishExpansion, settings: options.expansion), expanded) }

        // 2. Cluster each hidden layer's neurons across the students and rebuild the layer; in a
        //    deep network the students are re-trained on the rebuilt layers before the next one.
        var students = StudentsAtLayer(bank: expanded.bank.converted(to: Double.self), losses: expanded.losses, rebuiltBelow: [])
        var rebuiltLayers = [DenseLayer<Double>](), layerReports = [LayerReport](), spares = [(weight: [Double], bias: Double)]()
        for layer in 1...options.hiddenLayers {
            let clusters = try runner.run(ClusterLayer(layer: layer), students)
            let rebuilt = try runner.run(RebuildLayer(layer: layer), clusters)
            rebuiltLayers.append(rebuilt.layer)
            layerReports.append(rebuilt.report)
            spares = rebuilt.spares
            guard layer < options.hiddenLayers else { break }
            var retrained = try runner.run(Retrain(afterLayer: layer), (clusters, rebuilt))
            if options.polishes {
                retrained = try runner.run(Polish(id: .polishRetrained(afterLayer: layer), settings: options.retraining,
                                                  frozenLayers: layer), retrained)
            }
            students = StudentsAtLayer(bank: retrained.bank.converted(to: Double.self), losses: retrained.losses,
                                       rebuiltBelow: rebuiltLayers)
        }

        // 3. Assemble: the rebuilt layers with a least-squares readout, fine-tuned as one network.
        let assembled = try runner.run(Assemble(), rebuiltLayers)
        let tuned = try runner.run(FineTune(round: 0), assembled)

        // 4. Prune the neurons the network does without, fine-tuning after each round.
        let pruned = try runner.run(Prune(), tuned)
        for l in layerReports.indices {
            layerReports[l].pruned = pruned.outcome.pruned[l]
            layerReports[l].duplicates = pruned.outcome.duplicates[l]
            layerReports[l].unneeded = pruned.outcome.unneeded[l]
        }
        var final = pruned.final, reduction: StudentReduction?

        // 5. Polished runs: polish the recovered network, then grow or reduce it to an exact fit.
        if options.polishes {
            let polished = try runner.run(Polish(id: .polishRecovered, settings: options.fineTuning), final)
            let refined = try runner.run(Refine(spares: spares, expanded: expanded), polished)
            layerReports[options.hiddenLayers - 1].added = refined.added
            for (l, indices) in refined.removed.enumerated() { layerReports[l].redundant = indices }
            (final, reduction) = (refined.final, refined.reduction)
        }
        var recovered = final.bank.student(0).converted(to: Double.self)
        if !options.activation.symmetry.needsAffineSkip { recovered.skip = nil }

        // 6. Compare with the teacher, when it is known.
        let comparison = try target.map { try runner.run(Compare(target: $0), recovered) }

        let variance = runner.variance
        let report = IdentifyReport(
            options: options, recipe: options.recipeDescription, rho: rho, pilots: pilots, studentWidths: expansion.widths,
            keptInputs: InputMask.keptCount(options.inputMask, of: inputs.columns),
            studentRelativeLosses: expanded.losses.map { $0 / variance }, expansionEpochs: expanded.epochs,
            layers: layerReports, recoveredWidths: recovered.hiddenWidths,
            assembledRelativeLoss: nil, finalRelativeLoss: final.losses[0] / variance,
            finalEpochs: pruned.fineTuningEpochs, phaseSeconds: [:],
            lossCurves: LossCurves(expanded.log, variance: variance), comparison: comparison,
            device: device.describe(precision: options.precision), reducedStudent: reduction)
        return IdentifyResult(recovered: recovered, students: expanded.bank.converted(to: Double.self), report: report)
    }
}
