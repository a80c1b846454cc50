/// Asked after every training epoch whether the run should stop there (e.g. the user pressed
/// Ctrl-C): a long run then ends with its last epoch checkpointed rather than up to a
/// checkpoint interval behind.
public typealias StopRequest = @Sendable () -> Bool

/// A run that stopped on request after `epoch` of `phase`, that epoch checkpointed where the
/// run keeps checkpoints (an identification's output directory), so that resuming it repeats
/// nothing (a pilot run, which keeps none, starts over).
public struct RunStopped: Error, Sendable, Equatable {
    public let phase: String
    public let epoch: Int
}
