/// Asked after every training epoch and before every phase whether the run should stop there
/// (e.g. the user pressed Ctrl-C): a long run then ends with its last epoch checkpointed rather
/// than up to a checkpoint interval behind.
public typealias StopRequest = @Sendable () -> Bool

/// A run that stopped on request after `epoch` of `phase`, that epoch checkpointed where the
/// run keeps checkpoints (an identification's output directory), so that resuming it repeats
/// nothing (a pilot run, which keeps none, starts over); `epoch` nil: before `phase` began.
public struct RunStopped: Error, Sendable, Equatable {
    /// The phase in words (`PhaseID.title`, or a suite problem).
    public let phase: String
    public let epoch: Int?

    public init(phase: String, epoch: Int?) {
        self.phase = phase
        self.epoch = epoch
    }

    /// Throws the stop before `phase` when one is requested.
    static func check(_ stopRequested: StopRequest, before phase: String) throws {
        if stopRequested() { throw RunStopped(phase: phase, epoch: nil) }
    }

    /// "after epoch 12 of expansion", "before final fine-tuning".
    public var position: String { epoch.map { "after epoch \($0) of \(phase)" } ?? "before \(phase)" }
}
