import ECCore
import ECEngine

/// A run directory as the ranks of an MPI job other than rank 0 use it: they read the finished
/// pilots and the checkpoints, so that every rank resumes the same phases from the same state,
/// and write nothing, since rank 0 writes the run's files. The epoch log and the time sums are
/// rank 0's alone (the report comes from rank 0).
final class RunDirectoryReader: IdentificationStore {
    private let directory: RunDirectory

    init(_ directory: RunDirectory) {
        self.directory = directory
    }

    func pilots() throws -> [PilotResult] { try directory.pilots() }
    func record(pilot: PilotResult) throws {}

    func checkpoint<T: Real>(_ phase: PhaseID, as type: T.Type) throws -> (checkpoint: TrainingCheckpoint<T>, finished: Bool)? {
        try directory.checkpoint(phase, as: type)
    }

    func save<T: Real>(_ checkpoint: TrainingCheckpoint<T>, phase: PhaseID, finished: Bool) throws {}
    func epochLog(_ phase: PhaseID) throws -> [EpochRecord] { [] }
    func append(_ record: EpochRecord, phase: PhaseID) throws {}
    func spentSeconds() throws -> [String: Double] { [:] }
    func addSpentSeconds(_ increments: [String: Double]) throws -> [String: Double] { increments }
}
