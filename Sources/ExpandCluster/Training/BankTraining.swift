import ECCore
import ECDistributed
import ECEngine
import Foundation

/// A bank after training, with its final per-student losses on all samples.
public struct TrainedBank<T: Real>: Sendable {
    public let bank: StudentBank<T>
    public let losses: [Double]
    public let epochs: Int
    public let log: [EpochRecord]

    public init(bank: StudentBank<T>, losses: [Double], epochs: Int, log: [EpochRecord]) {
        self.bank = bank
        self.losses = losses
        self.epochs = epochs
        self.log = log
    }

    /// The same students in another precision, with their losses, epochs and log.
    public func converted<U: Real>(to _: U.Type = U.self) -> TrainedBank<U> {
        TrainedBank<U>(bank: bank.converted(), losses: losses, epochs: epochs, log: log)
    }
}

/// Everything needed to continue training a bank exactly where it stopped.
public struct TrainingCheckpoint<T: Real>: Sendable {
    public let bank: StudentBank<T>
    public let optimizer: OptimizerState<T>
    public let trainer: TrainerState
    /// The cluster stop rule's last check (expansions of one hidden layer).
    public let clusterCheck: ClusterCheck?

    public init(bank: StudentBank<T>, optimizer: OptimizerState<T>, trainer: TrainerState, clusterCheck: ClusterCheck? = nil) {
        self.bank = bank
        self.optimizer = optimizer
        self.trainer = trainer
        self.clusterCheck = clusterCheck
    }
}

/// Trains `bank` on `data` until every student's schedule has stopped, the epoch cap, or, with
/// `clusterWatch`, the cluster stop rule ends it (`ClusterStopRule`). `resume` continues from a checkpoint; `checkpoint` is called every `checkpointInterval`
/// seconds and at the end with everything needed to resume. When `stopRequested` says so after
/// an epoch, that epoch is checkpointed and `RunStopped` thrown. Under MPI every rank of `ranks`
/// calls this alike and they share the students (`RankSplitBackend`); the checkpoint is the
/// whole bank on every rank.
func trainBank<T: Real>(_ bank: StudentBank<T>, data: TrainingData<T>, phase: PhaseID,
                        device: BackendChoice.Resolved, configuration: EngineConfiguration, options: TrainingOptions,
                        resume: TrainingCheckpoint<T>? = nil, previousLog: [EpochRecord] = [], lossScale: Double = 1,
                        checkpointInterval: TimeInterval = 60,
                        checkpoint: (TrainingCheckpoint<T>) throws -> Void = { _ in },
                        onEpoch: (EpochRecord) throws -> Void = { _ in },
                        stopRequested: StopRequest = { false }, ranks: Ranks = .single, clusterWatch: ClusterWatch? = nil,
                        progress: (ProgressEvent) -> Void) throws -> TrainedBank<T> {
    let engine = try RankSplitBackend.make(bank: resume?.bank ?? bank, optimizer: resume?.optimizer, ranks: ranks) {
        try device.make(data: data, bank: $0, optimizerState: $1, configuration: configuration)
    }
    let trainer = Trainer(backend: engine, options: options, resumeFrom: resume?.trainer)
    var log = previousLog
    var sinceCheckpoint = Stopwatch()
    var clusterCheck = resume?.clusterCheck
    func save() throws {
        try checkpoint(TrainingCheckpoint(bank: try engine.currentBank(), optimizer: try engine.currentOptimizerState(),
                                          trainer: trainer.state, clusterCheck: clusterCheck))
        sinceCheckpoint = Stopwatch()
    }
    try trainer.run(samples: data.sampleCount) { record in
        log.append(record)
        try onEpoch(record)
        let finite = record.losses.filter(\.isFinite).sorted()
        progress(.epoch(EpochProgress(
            phase: phase, epoch: record.epoch, maximumEpochs: options.maximumEpochs,
            bestLoss: (finite.first ?? .nan) / lossScale, medianLoss: (finite.isEmpty ? .nan : finite[finite.count / 2]) / lossScale,
            learningRate: record.learningRates.max() ?? 0, activeStudents: record.learningRates.filter { $0 > 0 }.count,
            secondsPerEpoch: record.seconds)))
        if let watch = clusterWatch, watch.isDue(epoch: record.epoch) {
            let check = try watch.check(try engine.currentBank(), losses: record.losses, epoch: record.epoch, after: clusterCheck)
            clusterCheck = check
            if check.stableChecks >= watch.rule.checks {
                trainer.stopAll()
                progress(.note("\(phase.title): the same \(check.directions.rows) big clusters over \(check.stableChecks + 1) checks; ended at epoch \(record.epoch)"))
            }
        }
        let agreed = try ranks.agree(stop: stopRequested(), checkpointDue: sinceCheckpoint.seconds >= checkpointInterval)
        if agreed.stop {
            try save()
            throw RunStopped(phase: phase.title, epoch: record.epoch)
        }
        if agreed.checkpoint { try save() }
    }
    try save()
    return TrainedBank(bank: try engine.currentBank(), losses: try engine.evaluateLosses(),
                       epochs: trainer.state.epochsDone, log: log)
}

/// Polishes a trained bank (see `LevenbergMarquardt`) and re-measures its losses on all samples.
/// A student whose polished loss on all samples is not below its loss before keeps its
/// parameters as they were: polishing on a subsample can fit the subsample at the expense of
/// the rest. Under MPI the ranks of `ranks` polish a share of the students each (students are
/// polished independently) and every rank gets the whole bank.
public func polishBank<T: Real>(_ trained: TrainedBank<T>, data: TrainingData<T>, options: LevenbergMarquardt.Options,
                                device: BackendChoice.Resolved, configuration: EngineConfiguration,
                                frozenLayers: Int = 0, ranks: Ranks = .single) throws -> TrainedBank<T> {
    guard LevenbergMarquardt.applies(to: trained.bank) else { return trained }
    if ranks.size > 1 && trained.bank.count >= ranks.size {
        let share = ranks.share(of: trained.bank.count)
        let part = try polishBank(TrainedBank(bank: trained.bank.students(share), losses: [], epochs: trained.epochs, log: []),
                                  data: data, options: options, device: device, configuration: configuration,
                                  frozenLayers: frozenLayers)
        return TrainedBank(bank: try ranks.gatherBank(part.bank, like: trained.bank), losses: try ranks.allGather(part.losses),
                           epochs: trained.epochs, log: trained.log)
    }
    let bank = trained.bank.converted(to: Double.self)
    let polished = try LevenbergMarquardt(options: options)
        .polish(bank, inputs: data.inputs.converted(), targets: data.targets.converted(), frozenLayers: frozenLayers)
        .bank.converted(to: T.self)
    let before = try device.make(data: data, bank: trained.bank, configuration: configuration).evaluateLosses()
    let after = try device.make(data: data, bank: polished, configuration: configuration).evaluateLosses()
    let better = after.indices.map { after[$0] < before[$0] }
    let kept = try StudentBank(students: better.indices.map { better[$0] ? polished.student($0) : trained.bank.student($0) })
    return TrainedBank(bank: kept, losses: better.indices.map { better[$0] ? after[$0] : before[$0] },
                       epochs: trained.epochs, log: trained.log)
}
