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
    public func saveSettings<S: Encodable>(_ settings: S) throws {
        try writeJSONAtomically(settings, to: file(Self.settingsName))
    }

    public func loadSettings<S: Decodable>(_: S.Type) throws -> S {
        try Self.loadSettings(S.self, in: url)
    }

    /// The settings of the run in `directory`, read without opening it as a `RunDirectory`.
    static func loadSettings<S: Decodable>(_: S.Type, in directory: URL) throws -> S {
        let path = directory.appendingPathComponent(settingsName)
        guard let bytes = try readFileIfPresent(path) else {
            throw ECError.invalidFile(path: path.relativePath, problem: "not found; is this the output directory of an `ec identify` run?")
        }
        return try decodeJSONFile(S.self, from: Data(bytes), path: path.relativePath)
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
        let file = try SafetensorsFile.read(from: location)
        let bank = try StudentBank<T>(safetensors: file, path: location.relativePath)
        let layout = bank.layout
        func invalid(_ problem: String) -> ECError { .invalidFile(path: location.relativePath, problem: problem) }
        // The moments are read by the backends through raw pointers: their sizes must be exact.
        let sizes = layout.tensors.map { bank.count * $0.countPerStudent }
        let first = layout.tensors.compactMap { file["optimizer.first." + $0.name]?.scalars(as: T.self) }
        let second = layout.tensors.compactMap { file["optimizer.second." + $0.name]?.scalars(as: T.self) }
        for (moments, name) in [(first, "first"), (second, "second")] where !moments.isEmpty {
            guard moments.map(\.count) == sizes else {
                throw invalid("optimizer.\(name) moments hold \(moments.map(\.count).prefix(8)) values; the students' tensors need \(sizes.prefix(8))")
            }
        }
        guard let trainerText = file.metadata["trainer"],
              let trainer = try? JSONDecoder.forFiles.decode(TrainerState.self, from: Data(trainerText.utf8)),
              let step = Int(file.metadata["step"] ?? "") else {
            throw invalid("checkpoint without trainer state")
        }
        guard step >= 0, trainer.epochsDone >= 0 else {
            throw invalid("step \(step) and epochs done \(trainer.epochsDone) must not be negative")
        }
        guard first.isEmpty == second.isEmpty else { throw invalid("holds only one of the two optimizer moments") }
        let finished = file.metadata["finished"] == "true"
        // A finished phase keeps no schedules; one that goes on needs one per student.
        guard trainer.lastLosses.count == bank.count, trainer.schedules.count == (finished ? 0 : bank.count)
                || (finished && trainer.schedules.count == bank.count) else {
            throw invalid("trainer state has \(trainer.lastLosses.count) losses and \(trainer.schedules.count) schedules "
                          + "for \(bank.count) students")
        }
        checkpointEpochs[phase] = trainer.epochsDone
        let optimizer = OptimizerState(step: step, firstMoments: first, secondMoments: second)
        return (TrainingCheckpoint(bank: bank, optimizer: optimizer, trainer: trainer), finished)
    }

    public func save<T: Real>(_ checkpoint: TrainingCheckpoint<T>, phase: PhaseID, finished: Bool) throws {
        var file = checkpoint.bank.safetensors(losses: checkpoint.trainer.lastLosses, metadata: [
            "phase": phase.name, "finished": finished ? "true" : "false", "step": String(checkpoint.optimizer.step),
            "trainer": String(decoding: try JSONEncoder.forLines.encode(checkpoint.trainer), as: UTF8.self),
        ])
        for (spec, (m, v)) in zip(checkpoint.bank.layout.tensors, zip(checkpoint.optimizer.firstMoments, checkpoint.optimizer.secondMoments)) {
            file.tensors.append(NamedTensor("optimizer.first." + spec.name, AnyTensor(shape: [m.count], scalars: m)))
            file.tensors.append(NamedTensor("optimizer.second." + spec.name, AnyTensor(shape: [v.count], scalars: v)))
        }
        try file.write(to: checkpointURL(phase))
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
