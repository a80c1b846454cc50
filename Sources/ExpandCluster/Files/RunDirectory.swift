import ECCore
import ECEngine
import ECFormats
import Foundation

/// The output directory of `ec identify`, which is also its resume state: settings, finished
/// pilot runs, a checkpoint per training phase (the last one written atomically every minute
/// and at the end of the phase), the seconds spent per phase, and the epoch log.
public final class RunDirectory: IdentificationStore {
    public let url: URL
    let log: EpochLogFile
    private var checkpointEpochs: [PhaseID: Int] = [:]
    private var lock: RunLock?

    /// Opens (creating it if needed) an output directory.
    public init(url: URL) throws {
        self.url = url
        try makeDirectory(url.appendingPathComponent("checkpoints"))
        log = EpochLogFile(url: url.appendingPathComponent("epochs.jsonl"))
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Takes the directory for this process until it ends: two processes writing one run's
    /// checkpoints and logs would corrupt each other.
    public func lockForWriting() throws {
        if lock == nil { lock = try RunLock(directory: url) }
    }

    // MARK: settings

    static let settingsName = "settings.json"

    /// The options and data paths a run was started with, so that `--resume` needs nothing else.
    public func saveSettings(_ settings: IdentifySettings) throws {
        try writeJSONAtomically(settings, to: file(Self.settingsName))
    }

    public func loadSettings() throws -> IdentifySettings {
        try Self.loadSettings(in: url)
    }

    /// The settings of the run in `directory`, read without opening it as a `RunDirectory`.
    static func loadSettings(in directory: URL) throws -> IdentifySettings {
        let path = directory.appendingPathComponent(settingsName)
        guard let bytes = try readFileIfPresent(path) else {
            throw ECError.invalidFile(path: path.relativePath, problem: "not found; is this the output directory of an `ec identify` run?")
        }
        return try IdentifySettings.decode(Data(bytes), path: path.relativePath)
    }

    // MARK: IdentificationStore

    public func pilots() throws -> [PilotResult] {
        guard let bytes = try readFileIfPresent(file("pilots.json")) else { return [] }
        return (try? JSONDecoder.forFiles.decode([PilotResult].self, from: Data(bytes))) ?? []
    }

    public func record(pilot: PilotResult) throws {
        let all = try pilots().filter { $0.rho != pilot.rho } + [pilot]
        try writeJSONAtomically(all, to: file("pilots.json"))
    }

    private func checkpointURL(_ phase: PhaseID) -> URL {
        url.appendingPathComponent("checkpoints").appendingPathComponent(phase.name + ".safetensors")
    }

    public func checkpoint<T: Real>(_ phase: PhaseID, as _: T.Type) throws -> (checkpoint: TrainingCheckpoint<T>, finished: Bool)? {
        let location = checkpointURL(phase)
        guard FileManager.default.fileExists(atPath: location.path) else { return nil }
        let (checkpoint, finished) = try TrainingCheckpoint<T>.decode(try SafetensorsFile.read(from: location),
                                                                      path: location.relativePath)
        checkpointEpochs[phase] = checkpoint.trainer.epochsDone
        return (checkpoint, finished)
    }

    public func save<T: Real>(_ checkpoint: TrainingCheckpoint<T>, phase: PhaseID, finished: Bool) throws {
        try checkpoint.safetensors(phase: phase, finished: finished).write(to: checkpointURL(phase))
        checkpointEpochs[phase] = checkpoint.trainer.epochsDone
    }

    public func epochLog(_ phase: PhaseID) throws -> [EpochRecord] {
        try log.truncate(phase: phase.name, after: checkpointEpochs[phase] ?? 0)
    }

    public func append(_ record: EpochRecord, phase: PhaseID) throws {
        try log.append(record, phase: phase.name)
    }

    /// Beside the checkpoints: the sums describe the work they hold, and go with them.
    private var spentSecondsURL: URL { url.appendingPathComponent("checkpoints/phase-seconds.json") }

    public func spentSeconds() throws -> [String: Double] {
        guard let bytes = try readFileIfPresent(spentSecondsURL) else { return [:] }
        do {
            return try JSONDecoder.forFiles.decode([String: Double].self, from: Data(bytes))
        } catch {
            throw ECError.invalidFile(path: spentSecondsURL.relativePath, problem: "cannot be read; remove it to start the run's time sums over")
        }
    }

    public func addSpentSeconds(_ increments: [String: Double]) throws -> [String: Double] {
        let all = try spentSeconds().merging(increments, uniquingKeysWith: +)
        try writeJSONAtomically(all, to: spentSecondsURL)
        return all
    }
}
