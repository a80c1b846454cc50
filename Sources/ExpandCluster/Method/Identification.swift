import ECCore
import ECEngine
import Foundation

/// What `identify` produced.
public struct IdentifyResult: Sendable {
    public let recovered: Network<Double>
    /// The expanded students as trained (before any reconstruction).
    public let students: StudentBank<Double>
    /// Completed by `IdentifyRun` (device, comparison, times) before it is written.
    public var report: IdentifyReport
}

/// Keeps the results of finished phases and the checkpoints of running ones, so that a killed
/// run resumes where it stopped. `nil` phases mean "no persistence".
public protocol IdentificationStore: AnyObject {
    func pilots() throws -> [PilotResult]
    func record(pilot: PilotResult) throws
    /// The last checkpoint of a training phase and whether the phase had finished.
    func checkpoint<T: Real>(phase: String, as: T.Type) throws -> (checkpoint: TrainingCheckpoint<T>, finished: Bool)?
    func save<T: Real>(checkpoint: TrainingCheckpoint<T>, phase: String, finished: Bool) throws
    /// The epoch log of a phase: records kept so far (up to its last checkpoint), and appending.
    func epochLog(phase: String) throws -> [EpochRecord]
    func append(_ record: EpochRecord, phase: String) throws
    /// Seconds per phase (and in total) that the run's processes have spent so far, and adding to
    /// them (returning the new sums), so that a resumed run reports the time of all its processes.
    func spentSeconds() throws -> [String: Double]
    func addSpentSeconds(_ increments: [String: Double]) throws -> [String: Double]
}

/// Expand-and-Cluster end to end: probe set in, recovered network out.
public struct Identification {
    public let options: IdentifyOptions
    public let store: IdentificationStore?
    /// Asked before every training or polishing phase and after every training epoch; true
    /// stops the run there with `RunStopped`.
    public let stopRequested: StopRequest

    public init(options: IdentifyOptions, store: IdentificationStore? = nil, stopRequested: @escaping StopRequest = { false }) {
        self.options = options
        self.store = store
        self.stopRequested = stopRequested
    }

    public func run(inputs: Matrix<Double>, targets: Matrix<Double>,
                    progress: @escaping (ProgressEvent) -> Void = { _ in }) throws -> IdentifyResult {
        try run(inputs: inputs, targets: targets, clock: try PhaseClock(store: store), progress: progress)
    }

    /// The run, timed on `clock` (which an `IdentifyRun` goes on using for the comparison).
    func run(inputs: Matrix<Double>, targets: Matrix<Double>, clock: PhaseClock,
             progress: @escaping (ProgressEvent) -> Void) throws -> IdentifyResult {
        try options.validate(inputs: inputs.columns)
        switch options.precision {
        case .float32: return try run(Float.self, inputs: inputs, targets: targets, clock: clock, progress: progress)
        case .float64: return try run(Double.self, inputs: inputs, targets: targets, clock: clock, progress: progress)
        }
    }

    private func run<T: Real>(_: T.Type, inputs: Matrix<Double>, targets: Matrix<Double>, clock: PhaseClock,
                              progress: @escaping (ProgressEvent) -> Void) throws -> IdentifyResult {
        let data = try TrainingData<T>(inputs: inputs.converted(), targets: targets.converted())
        let variance = try targetVariance(targets)
        let configuration = EngineConfiguration(batchSize: options.batchSize)

        // Phase 1: expansion.
        let rho: Double, pilots: [PilotResult]
        if let given = options.rho {
            (rho, pilots) = (given, [])
        } else {
            (rho, pilots) = try clock.time("pilots") {
                try RhoSelection.choose(data: data, options: options, variance: variance, stopRequested: stopRequested,
                                        progress: progress, resume: try store?.pilots() ?? [],
                                        record: { try store?.record(pilot: $0) })
            }
            progress(.note("chose ρ = \(RhoSelection.format(rho))"))
        }
        let widths = [inputs.columns] + options.studentWidths(rho: rho) + [targets.columns]
        // Even+linear classes get a trainable linear skip term, so that no neurons go to
        // building the linear part that the activation leaves undetermined.
        let initial = try StudentBank<T>.random(widths: widths, count: options.students, activation: options.activation,
                                                seed: options.seed, skip: options.activation.symmetry.needsAffineSkip)
        var expanded = try clock.time("expansion") {
            try trainPhase("expansion", initial, data: data, configuration: configuration,
                           options: options.expansion, variance: variance, progress: progress)
        }
        if options.polishes, let polish = options.polish {
            progress(.phase("polishing (Levenberg–Marquardt)"))
            expanded = try clock.time("polishing") {
                try polishPhase("polishing the expansion", expanded, data: data, options: polish, configuration: configuration)
            }
        }

        // Phase 2: cluster layer by layer, re-training the students between layers.
        let sampleRows = Array(stride(from: 0, to: inputs.rows, by: inputs.rows / 4096 + 1))
        let sample = inputs.rows(sampleRows), sampleTargets = targets.rows(sampleRows)
        var bank = expanded.bank.converted(to: Double.self)
        var losses = expanded.losses
        var hidden = [DenseLayer<Double>]()
        var layerReports = [LayerReport]()
        var spares = [(weight: [Double], bias: Double)]()
        for l in 0..<options.hiddenLayers {
            let views = StudentLayerView.views(of: bank, layer: l, sample: sample)
            let byStudent = [Int: StudentLayerView](uniqueKeysWithValues: views.map { ($0.student, $0) })
            // This layer's inputs on the sample: the reconstructed layers below it, shared by all students.
            let layerInputs = l == 0 ? sample : try Reconstruction.features(of: hidden, activation: options.activation, on: sample)
            let (cut, spare) = try clock.time("clustering") {
                let tree = try LayerTree(layer: l, students: views, losses: losses, symmetry: options.activation.symmetry,
                                         inputMask: l == 0 ? options.inputMask : nil, options: options.clustering,
                                         layerInputs: layerInputs)
                // The same cut with clusters of two students and more: spare neurons for the span
                // growth and the exact-fit refinement.
                return (tree.cut(at: tree.ruleCut), tree.cut(at: tree.ruleCut, minimumStudents: 2))
            }
            var clustering = cut
            progress(.note("layer \(l + 1): \(clustering.recoveredWidth) neurons from \(clustering.clusters.count) clusters (\(clustering.negligibleNeurons) of \(clustering.candidateNeurons) neurons negligible)"))
            guard clustering.recoveredWidth > 0 else {
                throw ECError.invalidArgument("layer \(l + 1): no cluster holds neurons of ⌊γN⌋ = \(clustering.minimumStudents) students; the students did not agree (train longer, raise ρ, or lower --gamma)")
            }
            var layerReport = LayerReport(clustering)
            var layer: DenseLayer<Double>
            // Polished runs are judged by exactness instead (the refinement at the end).
            if l + 1 < options.hiddenLayers, !options.polishes, let gain = options.clustering.spanGain {
                let growth = try clock.time("clustering") {
                    try SpanGrowth(students: bank, losses: losses, layer: l, sample: sample, gain: gain)
                        .grow(clustering, spare: spare, views: byStudent, layerInputs: layerInputs, activation: options.activation)
                }
                layerReport.record(growth)
                if !growth.added.isEmpty {
                    progress(.note("layer \(l + 1): added \(growth.added.count) neuron(s) from clusters of fewer than ⌊γN⌋ students: what the students' next layer reads and the layer could not give went from \(String(format: "%.2e", growth.shareBefore)) to \(String(format: "%.2e", growth.shareAfter))"))
                }
                (clustering, layer) = (growth.clustering, growth.layer)
            } else {
                layer = Reconstruction.layer(clustering, views: byStudent, inputs: layerInputs, activation: options.activation)
            }
            layerReports.append(layerReport)
            hidden.append(layer)
            guard l + 1 < options.hiddenLayers else {
                if options.polishes {   // what the exact-fit refinement can add to the last hidden layer
                    spares = Reconstruction.spareNeurons(spare, beyond: clustering, views: byStudent, inputs: layerInputs,
                                                         activation: options.activation)
                }
                break
            }
            let remapped = try StudentBank<Double>(students: (0..<bank.count).map { n -> Network<Double> in
                var student = bank.student(n)
                student.layers.replaceSubrange(0...l, with: hidden)
                student.layers[l + 1] = Reconstruction.remapNextLayer(byStudent[n]!, nextBias: student.layers[l + 1].bias,
                                                                       clustering: clustering, reconstructed: layer,
                                                                       inputs: layerInputs, activation: options.activation)
                return try Network(activation: student.activation, layers: student.layers)
            })
            var frozen = configuration
            frozen.layerLearningRateScales = Array(repeating: 0, count: l + 1) + Array(repeating: 1, count: options.hiddenLayers - l)
            let tuned = try clock.time("layer fine-tuning") {
                try trainPhase("fine-tuning after layer \(l + 1)", remapped.converted(to: T.self), data: data,
                               configuration: frozen, options: options.layerFineTune, variance: variance, progress: progress)
            }
            var polished = tuned
            if options.polishes, let polish = options.polish {
                polished = try clock.time("polishing") {
                    try polishPhase("polishing after layer \(l + 1)", tuned, data: data, options: polish, configuration: frozen,
                                    frozenLayers: l + 1)
                }
            }
            bank = polished.bank.converted(to: Double.self)
            losses = polished.losses
        }

        // Phase 3: readout by least squares, then fine-tune the whole network.
        let withSkip = options.activation.symmetry.needsAffineSkip
        let assembled = try clock.time("assembly") {
            try Reconstruction.fitReadout(hidden: hidden, activation: options.activation, inputs: inputs,
                                          targets: targets, withSkip: withSkip)
        }
        var final = configuration
        final.batchSize = options.finalFineTuneBatchSize ?? options.batchSize
        final.layerLearningRateScales = Array(repeating: 1, count: options.hiddenLayers + 1) + [10]
        let tuned = try clock.time("final fine-tuning") {
            try trainPhase("final fine-tuning", StudentBank<T>(students: [assembled.converted(to: T.self)]), data: data,
                           configuration: final, options: options.finalFineTune, variance: variance, progress: progress)
        }
        var finalBank = tuned, finalEpochs = tuned.epochs
        // Polished runs decide redundancy by exactness instead (the refinement below).
        let pruning = NeuronPruning(sample: sample, sampleTargets: sampleTargets,
                                    negligibleFraction: options.clustering.negligibleContribution,
                                    duplicateCorrelation: options.polishes ? nil : options.clustering.duplicateCorrelation,
                                    removalLossFactor: options.polishes ? nil : options.clustering.removalLossFactor)
        let pruned = try pruning.run(tuned.bank.student(0).converted(to: Double.self), progress: progress) { network, round in
            // The first round keeps the phase name of runs from before there were rounds, so they resume.
            let phase = "fine-tuning after pruning" + (round == 0 ? "" : " (round \(round + 1))")
            finalBank = try clock.time("final fine-tuning") {
                try trainPhase(phase, StudentBank<T>(students: [network.converted(to: T.self)]), data: data,
                               configuration: final, options: options.finalFineTune, variance: variance, progress: progress)
            }
            finalEpochs += finalBank.epochs
            return finalBank.bank.student(0).converted(to: Double.self)
        }
        for l in layerReports.indices {
            layerReports[l].pruned = pruned.pruned[l]
            layerReports[l].duplicates = pruned.duplicates[l]
            layerReports[l].unneeded = pruned.unneeded[l]
        }
        var reduction: StudentReduction?
        if options.polishes, let polish = options.polish {
            progress(.phase("polishing the recovered network"))
            finalBank = try clock.time("polishing") {
                try polishBank(finalBank, data: data, options: polish, backend: options.backend, configuration: final)
            }
            let refinement = ExactFitRefinement(
                activation: options.activation, inputs: inputs, targets: targets, sample: sample, sampleTargets: sampleTargets,
                tolerance: options.redundancyTolerance,
                polish: { network in
                    let bank = try StudentBank<T>(students: [network.converted(to: T.self)])
                    // A network grown past the polishing limit cannot be shown exact.
                    guard LevenbergMarquardt.applies(to: bank.converted(to: Double.self)) else { return (network, .infinity) }
                    let polished = try clock.time("polishing") {
                        try polishBank(TrainedBank(bank: bank, losses: [], epochs: 0, log: []),
                                       data: data, options: polish, backend: options.backend, configuration: final)
                    }
                    return (polished.bank.student(0).converted(to: Double.self), polished.losses[0] / variance)
                })
            let last = options.hiddenLayers - 1
            let grown = try refinement.grow(finalBank.bank.student(0).converted(to: Double.self),
                                            relativeLoss: finalBank.losses[0] / variance, spares: spares)
            if grown.added > 0 { progress(.note("added \(grown.added) neuron(s) from clusters of fewer than ⌊γN⌋ students: the fit became exact")) }
            let reduced = try refinement.eliminate(grown.network, relativeLoss: grown.relativeLoss)
            let removedCount = reduced.removed.reduce(0) { $0 + $1.count }
            if removedCount > 0 { progress(.note("removed \(removedCount) redundant recovered neuron(s)")) }
            layerReports[last].added = grown.added
            for (l, indices) in reduced.removed.enumerated() { layerReports[l].redundant = indices }
            var result = (network: reduced.network, relativeLoss: reduced.relativeLoss)
            if reduced.relativeLoss >= ExactFitRefinement.exactLoss,
               let student = try refinement.reduceBestStudent(of: expanded.bank.converted(to: Double.self),
                                                              relativeLosses: expanded.losses.map { $0 / variance }) {
                progress(.note("the clusters gave no exact network, but student \(student.reduction.student + 1) is exact: it is the recovered network, reduced from widths \(student.reduction.widths.map(String.init).joined(separator: ",")) to \(student.network.hiddenWidths.map(String.init).joined(separator: ","))"))
                result = (student.network, student.relativeLoss)
                reduction = student.reduction
            }
            finalBank = TrainedBank(bank: try StudentBank<T>(students: [result.network.converted(to: T.self)]),
                                    losses: [result.relativeLoss * variance], epochs: finalBank.epochs, log: finalBank.log)
        }
        var recovered = finalBank.bank.student(0).converted(to: Double.self)
        if !withSkip { recovered.skip = nil }
        let finalLoss = finalBank.losses[0]
        try clock.finish()
        let report = IdentifyReport(
            options: options, rho: rho, pilots: pilots, studentWidths: Array(widths.dropFirst().dropLast()),
            keptInputs: InputMask.keptCount(options.inputMask, of: inputs.columns),
            studentRelativeLosses: expanded.losses.map { $0 / variance }, expansionEpochs: expanded.epochs,
            layers: layerReports, recoveredWidths: recovered.hiddenWidths,
            assembledRelativeLoss: nil, finalRelativeLoss: finalLoss / variance, finalEpochs: finalEpochs,
            phaseSeconds: clock.seconds, lossCurves: LossCurves(expanded.log, variance: variance), comparison: nil,
            device: "", reducedStudent: reduction)
        return IdentifyResult(recovered: recovered, students: expanded.bank.converted(to: Double.self), report: report)
    }

    /// A training phase that resumes from, and checkpoints to, the store.
    private func trainPhase<T: Real>(_ phase: String, _ bank: StudentBank<T>, data: TrainingData<T>,
                                     configuration: EngineConfiguration, options training: TrainingOptions,
                                     variance: Double, progress: @escaping (ProgressEvent) -> Void) throws -> TrainedBank<T> {
        try RunStopped.check(stopRequested, before: phase)
        let saved = try store?.checkpoint(phase: phase, as: T.self)
        progress(.phase(phase))
        if let saved, saved.finished {
            let engine = try options.backend.make(data: data, bank: saved.checkpoint.bank, optimizerState: nil,
                                                  configuration: configuration)
            return TrainedBank(bank: saved.checkpoint.bank, losses: try engine.evaluateLosses(),
                               epochs: saved.checkpoint.trainer.epochsDone, log: try store?.epochLog(phase: phase) ?? [])
        }
        var training = training
        training.seed = options.seed &+ RandomSource.seed(named: phase)   // stable, so a resumed phase repeats its order
        let trained = try trainBank(bank, data: data, phase: phase, backend: options.backend, configuration: configuration,
                                    options: training, resume: saved?.checkpoint,
                                    previousLog: try store?.epochLog(phase: phase) ?? [], lossScale: variance,
                                    checkpointInterval: options.checkpointSeconds,
                                    checkpoint: { try store?.save(checkpoint: $0, phase: phase, finished: false) },
                                    onEpoch: { try store?.append($0, phase: phase) }, stopRequested: stopRequested,
                                    progress: progress)
        try saveFinished(trained, phase: phase)
        return trained
    }

    /// A polish of the students' bank that a resumed run takes back from the store instead of
    /// re-running it (14 minutes for a deep toy bank), with the losses it measured, so that the
    /// resumed run goes on from the very bank the first one had.
    private func polishPhase<T: Real>(_ phase: String, _ trained: TrainedBank<T>, data: TrainingData<T>,
                                      options polish: LevenbergMarquardt.Options, configuration: EngineConfiguration,
                                      frozenLayers: Int = 0) throws -> TrainedBank<T> {
        if let saved = try store?.checkpoint(phase: phase, as: T.self), saved.finished {
            return TrainedBank(bank: saved.checkpoint.bank, losses: saved.checkpoint.trainer.lastLosses,
                               epochs: trained.epochs, log: trained.log)
        }
        try RunStopped.check(stopRequested, before: phase)
        let polished = try polishBank(trained, data: data, options: polish, backend: options.backend,
                                      configuration: configuration, frozenLayers: frozenLayers)
        try saveFinished(polished, phase: phase)
        return polished
    }

    private func saveFinished<T: Real>(_ trained: TrainedBank<T>, phase: String) throws {
        guard let store else { return }
        let state = TrainerState(epochsDone: trained.epochs, schedules: [], lastLosses: trained.losses)
        try store.save(checkpoint: TrainingCheckpoint(bank: trained.bank, optimizer: OptimizerState(step: 0, firstMoments: [], secondMoments: []),
                                                      trainer: state), phase: phase, finished: true)
    }
}
