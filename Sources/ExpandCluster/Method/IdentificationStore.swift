import ECCore
import ECEngine

/// Keeps the results of finished phases and the checkpoints of running ones, so that a killed
/// run resumes where it stopped (`RunDirectory` on disk).
public protocol IdentificationStore: AnyObject {
    func pilots() throws -> [PilotResult]
    func record(pilot: PilotResult) throws
    /// The last checkpoint of a training or polishing phase and whether the phase had finished.
    func checkpoint<T: Real>(_ phase: PhaseID, as: T.Type) throws -> (checkpoint: TrainingCheckpoint<T>, finished: Bool)?
    func save<T: Real>(_ checkpoint: TrainingCheckpoint<T>, phase: PhaseID, finished: Bool) throws
    /// The epoch log of a phase: records kept so far (up to its last checkpoint), and appending.
    func epochLog(_ phase: PhaseID) throws -> [EpochRecord]
    func append(_ record: EpochRecord, phase: PhaseID) throws
    /// Seconds per phase name (and in total) that the run's processes have spent so far, and
    /// adding to them (returning the new sums), so that a resumed run reports all its processes.
    func spentSeconds() throws -> [String: Double]
    func addSpentSeconds(_ increments: [String: Double]) throws -> [String: Double]
}
