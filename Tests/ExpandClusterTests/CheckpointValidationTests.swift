import ECCore
import ECEngine
import ECFormats
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// A checkpoint whose optimiser moments or schedules do not fit its bank is refused by name: the
/// moments are read through raw pointers, the schedules indexed per student (issue 29).
struct CheckpointValidationTests {
    static func checkpoint(momentCut: Int = 0, schedules: Int = 2) throws -> TrainingCheckpoint<Double> {
        let bank = try StudentBank<Double>.random(widths: [2, 3, 1], count: 2, activation: .tanh, seed: 0)
        var moments = bank.tensors.map { [Double](repeating: 0, count: $0.count) }
        moments[0].removeLast(momentCut)
        let plateaus = Array(repeating: PlateauSchedule(learningRate: 1e-3, options: .init()), count: schedules)
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
}
