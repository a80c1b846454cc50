import ECCore
import ECEngine
import ECFormats
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// A student that diverges is stopped and left out while the others train on (`Trainer`). Its
/// checkpoint then holds a non-finite loss, a schedule whose best loss is still infinite, and
/// often non-finite parameters and moments; it must save and load like any other, or one bad
/// student would end a long run at its next checkpoint, and the run could not be resumed.
struct DivergedStudentTests {
    static func engine(_ bank: StudentBank<Double>, _ optimizer: OptimizerState<Double>? = nil) throws -> any TrainingBackend<Double> {
        let (_, x, y) = try IdentificationTests.problem(.g)
        return try BackendChoice.Resolved.cpu.make(
            data: try TrainingData(inputs: x, targets: y), bank: bank, optimizerState: optimizer,
            configuration: EngineConfiguration(batchSize: 500))
    }

    static func bitsEqual(_ a: [Double], _ b: [Double]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

    /// JSON keeps a NaN, not its sign or payload.
    static func sameValues(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    @Test func aDivergedStudentIsCheckpointedAndResumedExactly() throws {
        let options = TrainingOptions(maximumEpochs: 6, seed: 4)
        // Three g students 4-16-1 on a toy teacher (3,000 samples); student 1's first layer is so
        // large that its outputs overflow in the first minibatch.
        var initial = try StudentBank<Double>.random(widths: [4, 16, 1], count: 3, activation: .g, seed: 9)
        for i in 64..<128 { initial.weights[0][i] = 1e200 }
        let engine = try Self.engine(initial)
        let samples = 3000
        let trainer = Trainer(backend: engine, options: options)
        for _ in 0..<3 { try trainer.trainEpoch(samples: samples) }
        #expect(!trainer.state.lastLosses[1].isFinite && trainer.state.schedules[1].stopped)
        #expect(trainer.state.schedules[1].best == .infinity, "it never recorded a loss")
        #expect(trainer.state.lastLosses[0].isFinite && trainer.state.lastLosses[2].isFinite)

        // The diverged student's parameters are whatever the overflow left; make them NaN, as on
        // a device whose arithmetic produced NaN, so that loading has to accept them.
        var bank = try engine.currentBank()
        for i in 64..<128 { bank.weights[0][i] = .nan }
        let saved = TrainingCheckpoint(bank: bank, optimizer: try engine.currentOptimizerState(), trainer: trainer.state)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try RunDirectory(url: directory).save(saved, phase: .expand, finished: false)
        let loaded = try #require(try RunDirectory(url: directory).checkpoint(.expand, as: Double.self)).checkpoint

        #expect(loaded.trainer.epochsDone == 3 && loaded.trainer.schedules == trainer.state.schedules)
        #expect(Self.sameValues(loaded.trainer.lastLosses, trainer.state.lastLosses))
        #expect(zip(loaded.bank.tensors, bank.tensors).allSatisfy(Self.bitsEqual))
        #expect(loaded.optimizer.step == saved.optimizer.step)
        #expect(zip(loaded.optimizer.secondMoments, saved.optimizer.secondMoments).allSatisfy(Self.bitsEqual))

        // Resumed, the healthy students continue exactly as without the interruption.
        let resumedEngine = try Self.engine(loaded.bank, loaded.optimizer)
        let resumed = Trainer(backend: resumedEngine, options: options, resumeFrom: loaded.trainer)
        try resumed.run(samples: samples)
        try trainer.run(samples: samples)
        #expect(resumed.state.epochsDone == 6)
        let (a, b) = (try resumedEngine.currentBank(), try engine.currentBank())
        for s in [0, 2] {
            #expect(a.student(s) == b.student(s), "student \(s)")
        }
        #expect(resumed.state.lastLosses[0] == trainer.state.lastLosses[0] && resumed.state.lastLosses[2] == trainer.state.lastLosses[2])
    }

    /// Non-finite parameters are still refused in a student whose loss is finite or missing: only
    /// a loss that records the divergence excuses them.
    @Test func nonFiniteParametersOfAHealthyStudentAreRefused() throws {
        var bank = try StudentBank<Double>.random(widths: [4, 16, 1], count: 3, activation: .g, seed: 9)
        bank.weights[0][70] = .nan
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bank.safetensors")
        for losses in [[0.1, 0.2, .nan], nil] as [[Double]?] {
            try bank.safetensors(losses: losses).write(to: url)
            #expect {
                try StudentBank<Double>(safetensors: try SafetensorsFile.read(from: url), path: "bank.safetensors")
            } throws: { "\($0)".contains("students.layers.0.weight holds nan at index 70, in student 1") }
        }
        try bank.safetensors(losses: [0.1, .infinity, 0.3]).write(to: url)
        let loaded = try StudentBank<Double>(safetensors: try SafetensorsFile.read(from: url), path: "bank.safetensors")
        #expect(loaded.weights[0][70].isNaN && loaded.weights[0][71] == bank.weights[0][71])
    }
}
