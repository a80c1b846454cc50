import ECCore
import ECEngine
import ECFormats
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// A checkpoint whose optimiser moments or schedules do not fit its bank is refused by name: the
/// moments are read through raw pointers, the schedules indexed per student, and each schedule's
/// counters go on counting from where they are (issue 29).
struct CheckpointValidationTests {
    static func checkpoint(momentCut: Int = 0, schedules: Int = 2,
                           schedule: PlateauSchedule = PlateauSchedule(learningRate: 1e-3)) throws -> TrainingCheckpoint<Double> {
        let bank = try StudentBank<Double>.random(widths: [2, 3, 1], count: 2, activation: .tanh, seed: 0)
        var moments = bank.tensors.map { [Double](repeating: 0, count: $0.count) }
        moments[0].removeLast(momentCut)
        let plateaus = Array(repeating: schedule, count: schedules)
        return TrainingCheckpoint(bank: bank, optimizer: OptimizerState(step: 3, firstMoments: moments, secondMoments: moments),
                                  trainer: TrainerState(epochsDone: 3, schedules: plateaus, lastLosses: [1, 1]))
    }

    @Test(arguments: [(1, 2, "optimizer.first"), (0, 1, "1 schedules")])
    func mismatchedCheckpointsAreRefused(momentCut: Int, schedules: Int, words: String) throws {
        let directory = try makeTemporaryDirectory("ec-checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try RunDirectory(url: directory)
        try run.save(Self.checkpoint(), phase: .expand, finished: false)
        #expect(try run.checkpoint(.expand, as: Double.self) != nil)
        try run.save(Self.checkpoint(momentCut: momentCut, schedules: schedules), phase: .fineTune(round: 0), finished: false)
        #expect {
            _ = try run.checkpoint(.fineTune(round: 0), as: Double.self)
        } throws: { error in
            (error as? ECError)?.description.contains(words) == true
        }
    }

    /// A schedule half-way through its stall window and its patience, as a real run leaves it.
    static func midWindowSchedule() -> PlateauSchedule {
        var schedule = PlateauSchedule(learningRate: 1e-3, options: .init(patience: 100, cooldown: 100, stallWindow: 1000))
        for epoch in 0..<500 { schedule.record(loss: epoch < 450 ? 1 / Double(epoch + 1) : 1) }
        return schedule
    }

    /// `schedule` with one of its fields set to the JSON `literal`, through its JSON as a checkpoint stores it.
    static func schedule(_ schedule: PlateauSchedule, setting path: [String], to literal: String) throws -> PlateauSchedule {
        let value = try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed)
        var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(schedule)) as? [String: Any])
        if path.count == 2 {
            var inner = try #require(object[path[0]] as? [String: Any])
            inner[path[1]] = value
            object[path[0]] = inner
        } else {
            object[path[0]] = value
        }
        return try JSONDecoder().decode(PlateauSchedule.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test(arguments: [
        (["windowEpochs"], "\(Int.max)"), (["windowEpochs"], "1000"), (["badEpochs"], "\(Int.max)"), (["badEpochs"], "-1"),
        (["cooldownLeft"], "\(Int.min)"), (["learningRate"], "-1e-3"), (["options", "patience"], "-1"),
        (["options", "stallWindow"], "0"), (["options", "factor"], "2.0"),
    ])
    func schedulesThatWouldOverflowOrMisbehaveAreRefused(path: [String], value: String) throws {
        let directory = try makeTemporaryDirectory("ec-checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try RunDirectory(url: directory)
        let valid = Self.midWindowSchedule()
        #expect(valid.windowEpochs == 500 && valid.badEpochs > 0)
        try run.save(Self.checkpoint(schedule: valid), phase: .expand, finished: false)
        #expect(try run.checkpoint(.expand, as: Double.self)?.checkpoint.trainer.schedules == [valid, valid])
        let broken = try Self.schedule(valid, setting: path, to: value)
        try run.save(Self.checkpoint(schedule: broken), phase: .expand, finished: false)
        #expect {
            _ = try run.checkpoint(.expand, as: Double.self)
        } throws: { error in
            (error as? ECError)?.description.contains("trainer.schedules[0]." + path.joined(separator: ".")) == true
        }
    }
}

/// The cluster stop rule's last check, as a checkpoint keeps it, is refused when it could not
/// have been written by a run.
struct ClusterCheckValidationTests {
    static func checkpoint(_ check: ClusterCheck) throws -> TrainingCheckpoint<Double> {
        let plain = try CheckpointValidationTests.checkpoint()
        return TrainingCheckpoint(bank: plain.bank, optimizer: plain.optimizer, trainer: plain.trainer, clusterCheck: check)
    }

    @Test func aValidCheckReadsBack() throws {
        let directory = try makeTemporaryDirectory("ec-checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try RunDirectory(url: directory)
        let check = ClusterCheck(epoch: 200, stableChecks: 1, directions: Matrix(rowArrays: [[0.6, 0.8, 0], [0, 0, -1]]))
        try run.save(Self.checkpoint(check), phase: .expand, finished: false)
        #expect(try run.checkpoint(.expand, as: Double.self)?.checkpoint.clusterCheck == check)
    }

    @Test(arguments: [(0, 1, 0.5, "clusterCheck.epoch"), (100, -1, 0.5, "clusterCheck.stableChecks"),
                      (100, 1, Double.nan, "clusterCheck.directions")])
    func impossibleChecksAreRefused(epoch: Int, stable: Int, value: Double, words: String) throws {
        let directory = try makeTemporaryDirectory("ec-checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try RunDirectory(url: directory)
        let check = ClusterCheck(epoch: epoch, stableChecks: stable, directions: Matrix(rowArrays: [[value, 1]]))
        try run.save(Self.checkpoint(check), phase: .expand, finished: false)
        #expect { _ = try run.checkpoint(.expand, as: Double.self) } throws: { error in
            (error as? ECError)?.description.contains(words) == true
        }
    }

    @Test func aCheckWithoutItsDirectionsIsRefused() throws {
        let directory = try makeTemporaryDirectory("ec-checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try RunDirectory(url: directory)
        let check = ClusterCheck(epoch: 100, stableChecks: 0, directions: Matrix(rowArrays: [[1, 0]]))
        try run.save(Self.checkpoint(check), phase: .expand, finished: false)
        let url = directory.appendingPathComponent("checkpoints/expand.safetensors")
        var file = try SafetensorsFile.read(from: url)
        file.tensors.removeAll { $0.name == "clusterCheck.directions" }
        try file.write(to: url)
        #expect { _ = try run.checkpoint(.expand, as: Double.self) } throws: { error in
            (error as? ECError)?.description.contains("clusterCheck.directions") == true
        }
    }
}
