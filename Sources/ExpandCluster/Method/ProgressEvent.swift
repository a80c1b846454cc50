/// Progress of a long run, for a front end to display.
public enum ProgressEvent: Sendable {
    /// A phase begins.
    case phase(PhaseID)
    /// An epoch of the current phase finished.
    case epoch(EpochProgress)
    /// A one-line note (e.g. "ρ = 2: 3 of 4 pilot students reached the loss floor").
    case note(String)
}

public struct EpochProgress: Sendable {
    public let phase: PhaseID
    public let epoch: Int
    public let maximumEpochs: Int
    /// Best and median student loss this epoch (relative to Var(y) when the data is a regression).
    public let bestLoss: Double
    public let medianLoss: Double
    public let learningRate: Double
    public let activeStudents: Int
    public let secondsPerEpoch: Double
}
