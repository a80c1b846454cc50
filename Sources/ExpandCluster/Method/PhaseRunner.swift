import ECCore
import ECDistributed
import ECEngine
import Foundation

/// Runs the phases of one identification and owns what every phase shares: the probe set (in
/// the training precision and in float64, with a subsample for host computations), the device,
/// the store of checkpoints, the clock, stop requests and progress, and the ranks of an MPI job,
/// which run every phase alike and share the students of each training and polish.
final class PhaseRunner<T: Real> {
    let options: IdentifyOptions
    let data: TrainingData<T>
    let inputs: Matrix<Double>
    let targets: Matrix<Double>
    /// At most ~4,096 evenly spaced probe points: enough to tell neurons apart, cheap to re-evaluate.
    let sample: Matrix<Double>
    let sampleTargets: Matrix<Double>
    /// Var(y) over the probe set: losses are reported and judged as MSE / Var(y).
    let variance: Double
    let device: BackendChoice.Resolved
    let store: IdentificationStore?
    let clock: PhaseClock
    let stopRequested: StopRequest
    let ranks: Ranks
    let progress: (ProgressEvent) -> Void

    init(options: IdentifyOptions, inputs: Matrix<Double>, targets: Matrix<Double>, device: BackendChoice.Resolved,
         store: IdentificationStore?, clock: PhaseClock, stopRequested: @escaping StopRequest,
         ranks: Ranks, progress: @escaping (ProgressEvent) -> Void) throws {
        self.options = options
        data = try TrainingData<T>(inputs: inputs.converted(), targets: targets.converted())
        (self.inputs, self.targets) = (inputs, targets)
        let rows = Array(stride(from: 0, to: inputs.rows, by: inputs.rows / 4096 + 1))
        (sample, sampleTargets) = (inputs.rows(rows), targets.rows(rows))
        variance = try targetVariance(targets)
        self.device = device
        self.store = store
        self.clock = clock
        self.stopRequested = stopRequested
        self.ranks = ranks
        self.progress = progress
    }

    /// Runs `phase` on `input`: stops before it when asked (when any rank was asked), announces
    /// it, and times it.
    func run<P: Phase>(_ phase: P, _ input: P.Input) throws -> P.Output where P.Scalar == T {
        if try ranks.agree(stop: stopRequested(), checkpointDue: false).stop { throw RunStopped(phase: phase.id.title, epoch: nil) }
        progress(.phase(phase.id))
        return try clock.time(phase.id) { try phase.run(input, in: self) }
    }

    /// The same run in float32, for phases whose Adam steps run in float32 in a float64 run
    /// (`TrainingSettings.precision`): its own copy of the probe set, everything else shared.
    private(set) lazy var float32: Result<PhaseRunner<Float>, Error> = Result {
        try PhaseRunner<Float>(options: options, inputs: inputs, targets: targets, device: device, store: store, clock: clock,
                               stopRequested: stopRequested, ranks: ranks, progress: progress)
    }

    /// Whether `settings` trains in float32 in a run of another precision.
    func lowersPrecision(_ settings: TrainingSettings) -> Bool {
        settings.precision == .float32 && T.precision != .float32
    }

    /// Trains `bank` as phase `id`, resuming from and checkpointing to the store; a finished
    /// phase is taken back from it. `rateScales` multiplies the rate per layer (0 freezes one).
    func train(_ id: PhaseID, _ bank: StudentBank<T>, settings: TrainingSettings,
               rateScales: [Double] = []) throws -> TrainedBank<T> {
        if lowersPrecision(settings) {
            return try float32.get().train(id, bank.converted(), settings: settings, rateScales: rateScales).converted()
        }
        let configuration = settings.engine(rateScales: rateScales)
        let saved = try store?.checkpoint(id, as: T.self)
        if let saved, saved.finished {
            let engine = try device.make(data: data, bank: saved.checkpoint.bank, configuration: configuration)
            return TrainedBank(bank: saved.checkpoint.bank, losses: try engine.evaluateLosses(),
                               epochs: saved.checkpoint.trainer.epochsDone, log: try store?.epochLog(id) ?? [])
        }
        // A stable seed, so that a resumed phase repeats its minibatch order.
        let trainer = settings.trainer(seed: options.seed &+ RandomSource.seed(named: id.orderSeedName))
        let trained = try trainBank(bank, data: data, phase: id, device: device, configuration: configuration,
                                    options: trainer, resume: saved?.checkpoint, previousLog: try store?.epochLog(id) ?? [],
                                    lossScale: variance, checkpointInterval: options.checkpointSeconds,
                                    checkpoint: { try self.store?.save($0, phase: id, finished: false) },
                                    onEpoch: { try self.store?.append($0, phase: id) }, stopRequested: stopRequested,
                                    ranks: ranks, clusterWatch: clusterWatch(settings, bank: bank), progress: progress)
        try saveFinished(trained, phase: id)
        return trained
    }

    /// The cluster stop rule of `settings` as step 2 would cluster `bank`, for students of one
    /// hidden layer.
    private func clusterWatch(_ settings: TrainingSettings, bank: StudentBank<T>) -> ClusterWatch? {
        guard let rule = settings.clusterStop, bank.hiddenWidths.count == 1 else { return nil }
        return ClusterWatch(rule: rule, sample: sample, symmetry: options.activation.symmetry, inputMask: options.inputMask,
                            clustering: options.clustering, variance: variance)
    }

    /// Polishes `trained` as phase `id` (nothing when `settings.polish` is nil or the run is not
    /// polished). A resumed run takes a finished polish back from the store with the losses it
    /// measured instead of repeating it (minutes for a deep toy bank).
    func polish(_ id: PhaseID, _ trained: TrainedBank<T>, settings: TrainingSettings,
                frozenLayers: Int = 0) throws -> TrainedBank<T> {
        guard options.polishes, let polish = settings.polish else { return trained }
        if let saved = try store?.checkpoint(id, as: T.self), saved.finished {
            return TrainedBank(bank: saved.checkpoint.bank, losses: saved.checkpoint.trainer.lastLosses,
                               epochs: trained.epochs, log: trained.log)
        }
        let polished = try polishBank(trained, data: data, options: polish, device: device,
                                      configuration: settings.engine(), frozenLayers: frozenLayers, ranks: ranks)
        try saveFinished(polished, phase: id)
        return polished
    }

    private func saveFinished(_ trained: TrainedBank<T>, phase: PhaseID) throws {
        guard let store else { return }
        let state = TrainerState(epochsDone: trained.epochs, schedules: [], lastLosses: trained.losses)
        try store.save(TrainingCheckpoint(bank: trained.bank, optimizer: OptimizerState(step: 0, firstMoments: [], secondMoments: []),
                                          trainer: state), phase: phase, finished: true)
    }
}
