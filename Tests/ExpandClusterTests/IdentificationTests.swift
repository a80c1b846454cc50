import ECCore
import ECEngine
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// End to end on toy teachers (d = 4, r = 4, float64): probe, expand, cluster, reconstruct,
/// fine-tune, compare.
struct IdentificationTests {
    static func problem(_ activation: Activation, seed: UInt64 = 1) throws -> (Network<Double>, Matrix<Double>, Matrix<Double>) {
        let teacher = try Network.toyTeacher(inputs: 4, hiddenWidths: [4], activation: activation, seed: seed)
        let x = try ProbeInputs.gaussian(count: 3000, dimension: 4, seed: seed + 1)
        return (teacher, x, teacher(x))
    }

    static func options(_ activation: Activation) -> IdentifyOptions {
        IdentifyOptions(activation: activation, hiddenLayers: 1, referenceWidths: [4], students: 10, rho: 4,
                        backend: BackendChoice(kind: .cpu), expansionEpochs: 2000, seed: 5)
    }

    @Test(.timeLimit(.minutes(2)), arguments: [Activation.g, .tanh, .softplus, .relu])
    func toyTeacherIsIdentified(_ activation: Activation) throws {
        let (teacher, x, y) = try Self.problem(activation)
        let result = try Identification(options: Self.options(activation)).run(inputs: x, targets: y)
        let fresh = try ProbeInputs.gaussian(count: 5000, dimension: 4, seed: 77)
        let comparison = try NetworkComparison(teacher: teacher, recovered: result.recovered, freshInputs: fresh)
        #expect(comparison.identified, """
            \(activation): widths \(result.recovered.hiddenWidths), worst angle \(comparison.layers[0].incoming.worstDegrees)°, \
            MSE/Var(y) \(comparison.relativeMSE)
            """)
        #expect(result.recovered.hiddenWidths == [4])
        #expect((result.recovered.skip != nil) == activation.symmetry.needsAffineSkip)
        #expect(result.report.layers[0].recoveredWidth >= 4)
    }

    /// The same pipeline with the students trained by the OpenCL backend (PoCL here).
    @Test(.timeLimit(.minutes(3)))
    func toyTeacherIsIdentifiedWithOpenCL() throws {
        setenv("POCL_CACHE_DIR", FileManager.default.temporaryDirectory.appendingPathComponent("ec-pocl-cache").path, 0)
        let (teacher, x, y) = try Self.problem(.g)
        var options = Self.options(.g)
        options.backend = BackendChoice(kind: .opencl)
        options.expansion.maximumEpochs = 400
        options.fineTuning.maximumEpochs = 2000
        let result = try Identification(options: options).run(inputs: x, targets: y)
        let comparison = try NetworkComparison(teacher: teacher, recovered: result.recovered,
                                               freshInputs: try ProbeInputs.gaussian(count: 5000, dimension: 4, seed: 77))
        #expect(comparison.identified, "worst angle \(comparison.layers[0].incoming.worstDegrees)°, MSE/Var(y) \(comparison.relativeMSE)")
    }

    /// A store that fails after `limit` epoch records, like a run killed mid-phase.
    final class FailingStore: IdentificationStore {
        let inner: RunDirectory
        var remaining: Int
        init(_ inner: RunDirectory, failAfter limit: Int) {
            self.inner = inner
            remaining = limit
        }
        struct Killed: Error {}
        func pilots() throws -> [PilotResult] { try inner.pilots() }
        func record(pilot: PilotResult) throws { try inner.record(pilot: pilot) }
        func checkpoint<T: Real>(_ phase: PhaseID, as type: T.Type) throws -> (checkpoint: TrainingCheckpoint<T>, finished: Bool)? {
            try inner.checkpoint(phase, as: type)
        }
        func save<T: Real>(_ checkpoint: TrainingCheckpoint<T>, phase: PhaseID, finished: Bool) throws {
            try inner.save(checkpoint, phase: phase, finished: finished)
        }
        func epochLog(_ phase: PhaseID) throws -> [EpochRecord] { try inner.epochLog(phase) }
        func append(_ record: EpochRecord, phase: PhaseID) throws {
            remaining -= 1
            if remaining < 0 { throw Killed() }
            try inner.append(record, phase: phase)
        }
        func spentSeconds() throws -> [String: Double] { try inner.spentSeconds() }
        func addSpentSeconds(_ increments: [String: Double]) throws -> [String: Double] {
            try inner.addSpentSeconds(increments)
        }
    }

    @Test(.timeLimit(.minutes(4)))
    func killedOrStoppedRunResumesToTheSameResult() throws {
        let (_, x, y) = try Self.problem(.tanh, seed: 3)
        var options = Self.options(.tanh)
        options.expansion.maximumEpochs = 300
        options.fineTuning.maximumEpochs = 300
        options.checkpointSeconds = 0   // a checkpoint after every epoch
        let reference = try Identification(options: options).run(inputs: x, targets: y)

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: FailingStore.Killed.self) {
            try Identification(options: options, store: FailingStore(try RunDirectory(url: directory), failAfter: 137)).run(inputs: x, targets: y)
        }
        let saved = try RunDirectory(url: directory).checkpoint(.expand, as: Double.self)
        #expect(saved?.finished == false && saved?.checkpoint.trainer.epochsDone == 137)
        // The failed process's time is kept, and the resumed run's report adds its own to it.
        let failedSeconds = try RunDirectory(url: directory).spentSeconds()
        let failedExpansion = try #require(failedSeconds[PhaseID.expand.name])
        #expect(failedExpansion > 0 && failedSeconds["total", default: 0] >= failedExpansion, "\(failedSeconds)")
        let resumed = try Identification(options: options, store: try RunDirectory(url: directory)).run(inputs: x, targets: y)
        #expect(resumed.students == reference.students, "the resumed expansion repeats the uninterrupted one exactly")
        #expect(resumed.recovered == reference.recovered)
        let seconds = resumed.report.phaseSeconds
        #expect(try #require(seconds[PhaseID.expand.name]) > failedExpansion, "\(seconds)")
        #expect(try #require(seconds["total"]) >= seconds.filter { $0.key != "total" }.values.reduce(0, +), "\(seconds)")
        // The epoch log holds each expansion epoch once.
        let expansionLines = EpochLogFile(url: directory.appendingPathComponent("epochs.jsonl")).lines().filter { $0.phase == PhaseID.expand.name }
        #expect(expansionLines.map(\.record.epoch) == Array(1...300))
        #expect(expansionLines.allSatisfy { $0.record.batchSize == options.expansion.batchSize })

        // Polishing is not re-run on resume: a one-step polish would leave other students.
        var unpolished = options
        unpolished.expansion.polish?.maximumIterations = 1
        let again = try Identification(options: unpolished, store: try RunDirectory(url: directory)).run(inputs: x, targets: y)
        #expect(again.students == reference.students)

        // A stop requested between phases ends the run before the next one, and resuming gives
        // the uninterrupted result too.
        let stopped = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stopped) }
        let expansionDone: StopRequest = {
            (try? RunDirectory(url: stopped).checkpoint(.expand, as: Double.self))??.finished == true
        }
        do {
            _ = try Identification(options: options, store: try RunDirectory(url: stopped), stopRequested: expansionDone)
                .run(inputs: x, targets: y)
            Issue.record("the run did not stop")
        } catch let stop as RunStopped {
            #expect(stop.epoch == nil && stop.phase != PhaseID.expand.title, "stopped \(stop.position)")
        }
        let continued = try Identification(options: options, store: try RunDirectory(url: stopped)).run(inputs: x, targets: y)
        #expect(continued.recovered == reference.recovered)
    }

    /// A run started by a build whose log had no minibatch sizes still resumes: its lines read
    /// back (size unknown) and are kept beside the new ones.
    @Test func logsWithoutMinibatchSizesStillRead() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("epochs.jsonl")
        try Data(#"{"phase":"expansion","epoch":1,"losses":[0.5],"learningRates":[0.001],"seconds":0.25}"# .utf8 + [10])
            .write(to: url)
        let log = EpochLogFile(url: url)
        try log.append(EpochRecord(epoch: 2, losses: [0.25], learningRates: [0.001], seconds: 0.5, batchSize: 128), phase: "expansion")
        let kept = try log.truncate(phase: "expansion", after: 2)
        #expect(kept.map(\.epoch) == [1, 2] && kept.map(\.batchSize) == [nil, 128])
        #expect(kept.map(\.losses) == [[0.5], [0.25]])
    }

    /// A diverged student's loss is written as a string (JSON has no NaN or infinity) and read
    /// back as the same value, also when a truncation rewrites the log; each line stays one flat
    /// object with the phase beside the record's fields.
    @Test func nonFiniteLossesSurviveATruncation() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("epochs.jsonl")
        let log = EpochLogFile(url: url)
        for epoch in 1...3 {
            try log.append(EpochRecord(epoch: epoch, losses: [.nan, .infinity, -.infinity, 0.5], learningRates: [0, 0, 0, 1e-3],
                                       seconds: 0.25, batchSize: 64), phase: "expansion")
        }
        let kept = try log.truncate(phase: "expansion", after: 2)
        #expect(kept.map(\.epoch) == [1, 2])
        #expect(kept.allSatisfy { $0.losses[0].isNaN && $0.losses[1] == .infinity && $0.losses[2] == -.infinity && $0.losses[3] == 0.5 })
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let first = try #require(lines.first.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(lines.count == 2 && Set(first.keys) == ["phase", "epoch", "losses", "learningRates", "seconds", "batchSize"])
        #expect((first["losses"] as? [Any])?.prefix(3).compactMap { $0 as? String } == ["nan", "inf", "-inf"])
    }
}
