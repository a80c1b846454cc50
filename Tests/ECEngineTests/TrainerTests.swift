import ECCore
import ECEngine
import Foundation
import Testing
import TestSupport

struct TrainerTests {
    @Test func plateauScheduleFollowsPyTorchSemantics() {
        // patience 2, cooldown 1, factor 0.5, minimum 0.25 from 1: two reductions then a stop.
        var schedule = PlateauSchedule(learningRate: 1, options: .init(factor: 0.5, patience: 2, cooldown: 1,
                                                                      minimumLearningRate: 0.25, threshold: 0.1))
        var events = [PlateauSchedule.Event?]()
        // 10 improves; 9.5 is within the 10% threshold (bad 1); 9.2 bad 2; 9.1 bad 3 > patience → 0.5.
        for loss in [10, 9.5, 9.2, 9.1] { events.append(schedule.record(loss: loss)) }
        #expect(events == [nil, nil, nil, .reduced(to: 0.5)])
        #expect(schedule.learningRate == 0.5 && schedule.best == 10)
        // Cooldown epoch: counted bad, then reset to 0. Then 3 bad epochs → 0.25 = minimum → stop.
        events = []
        for loss in [9.9, 9.8, 9.7, 9.6] { events.append(schedule.record(loss: loss)) }
        #expect(events == [nil, nil, nil, .stopped])
        #expect(schedule.stopped && schedule.effectiveLearningRate(epoch: 0) == 0)
        #expect(schedule.record(loss: 1) == nil)
        // A real improvement resets the count.
        var improving = PlateauSchedule(learningRate: 1, options: .init(factor: 0.5, patience: 1, cooldown: 0,
                                                                       minimumLearningRate: 0.01, threshold: 0.1))
        for loss in [10.0, 8, 6, 4, 2, 1] { #expect(improving.record(loss: loss) == nil) }
        #expect(improving.record(loss: 0.95) == nil)
        #expect(improving.record(loss: 0.95) == .reduced(to: 0.5))
    }

    @Test func referenceScheduleStopsAfterEightReductions() {
        var schedule = PlateauSchedule(learningRate: 1e-3, options: .init(patience: 0, cooldown: 0))
        var reductions = 0
        var epochs = 0
        while !schedule.stopped {
            if case .reduced = schedule.record(loss: 1) { reductions += 1 }
            epochs += 1
        }
        #expect(reductions == 7 && epochs == 9)   // 7 reductions, the 8th reaches 1e-7 and stops
    }

    /// With a stall window of 3, the best loss must halve from one window's end to the next: a
    /// loss falling by 10% per epoch (0.73 per window) stops at the second check, one a little
    /// faster than halving
    /// each window goes on.
    @Test func aStudentWhoseLossNoLongerHalvesStops() {
        let options = PlateauSchedule.Options(patience: 1000, cooldown: 0, threshold: 0, stallWindow: 3)
        var creeping = PlateauSchedule(learningRate: 1, options: options)
        var events = [PlateauSchedule.Event?]()
        for epoch in 0..<6 { events.append(creeping.record(loss: pow(0.9, Double(epoch)))) }
        #expect(events == [nil, nil, nil, nil, nil, .stopped])
        #expect(creeping.stopped && creeping.learningRate == 1)
        var halving = PlateauSchedule(learningRate: 1, options: options)
        for epoch in 0..<30 { #expect(halving.record(loss: pow(0.5, Double(epoch) / 2.9)) == nil, "epoch \(epoch)") }
        // Without a window the same creep never stops (patience is long).
        var plain = PlateauSchedule(learningRate: 1, options: .init(patience: 1000, cooldown: 0, threshold: 0))
        for epoch in 0..<30 { #expect(plain.record(loss: pow(0.9, Double(epoch))) == nil) }
    }

    @Test func cosineDecayScalesTheRateTheScheduleSets() throws {
        // T = 4: (1 + cos(πt/4))/2 for t = 0…4 is 1, (1 + √½)/2, ½, (1 − √½)/2, 0; 0 after T.
        var schedule = PlateauSchedule(learningRate: 2, options: .init(cosineEpochs: 4))
        var rates = [Double]()
        for (epoch, loss) in [5.0, 4, 3, 2, 1, 0.5].enumerated() {
            rates.append(schedule.effectiveLearningRate(epoch: epoch))
            schedule.record(loss: loss)
        }
        let expected = [2, 1 + 0.5.squareRoot(), 1, 1 - 0.5.squareRoot(), 0, 0]
        #expect(zip(rates, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(rates)")
        #expect(schedule.learningRate == 2 && !schedule.stopped)   // the decay is not a reduction

        // A plateau reduction multiplies into the decay: halved at epoch 2 of 4, then × ½.
        var both = PlateauSchedule(learningRate: 1, options: .init(factor: 0.5, patience: 0, cooldown: 0, cosineEpochs: 4))
        #expect(both.record(loss: 1) == nil)
        #expect(both.record(loss: 1) == .reduced(to: 0.5))
        #expect(abs(both.effectiveLearningRate(epoch: 2) - 0.25) < 1e-12)

        // The trainer decays by its own epoch count, which its checkpoints keep: a run resumed
        // after 2 epochs trains its third at the rate of t = 2 (1 × ½), as the uncut run does.
        let teacher = try Network.toyTeacher(inputs: 2, hiddenWidths: [2], activation: .g, seed: 1)
        let x: Matrix<Double> = randomMatrix(64, 2, seed: 2)
        let data = try TrainingData(inputs: x, targets: teacher(x))
        let options = TrainingOptions(learningRate: 1, maximumEpochs: 4, plateau: .init(cosineEpochs: 4), seed: 3)
        func trainer(resumeFrom state: TrainerState? = nil) throws -> Trainer<Double> {
            let bank = try StudentBank<Double>.random(widths: [2, 4, 1], count: 2, activation: .g, seed: 4)
            return Trainer(backend: try CPUBackend(data: data, bank: bank, configuration: EngineConfiguration(batchSize: 16)),
                           options: options, resumeFrom: state)
        }
        let first = try trainer()
        let records = try (0..<2).map { _ in try first.trainEpoch(samples: data.sampleCount) }
        let decayed = [1, (1 + 0.5.squareRoot()) / 2]
        #expect(zip(records, decayed).allSatisfy { record, rate in record.learningRates.allSatisfy { abs($0 - rate) < 1e-12 } })
        let saved = try JSONDecoder().decode(TrainerState.self, from: try JSONEncoder().encode(first.state))
        let third = try trainer(resumeFrom: saved).trainEpoch(samples: data.sampleCount)
        #expect(third.epoch == 3 && third.learningRates.allSatisfy { abs($0 - 0.5) < 1e-12 }, "\(third.learningRates)")
    }

    /// The acceptance case: 20 students of width 16 on a d = 4, r = 4 toy teacher in
    /// float64 reach a best-student MSE below 1e-6·Var(y).
    @Test(.timeLimit(.minutes(1)))
    func bankRecoversToyTeacherFunction() throws {
        let teacher = try Network.toyTeacher(inputs: 4, hiddenWidths: [4], activation: .g, seed: 1)
        let x: Matrix<Double> = randomMatrix(1000, 4, seed: 2)
        let y = teacher(x)
        let data = try TrainingData(inputs: x, targets: y)
        let bank = try StudentBank<Double>.random(widths: [4, 16, 1], count: 20, activation: .g, seed: 3)
        let backend = try CPUBackend(data: data, bank: bank, configuration: EngineConfiguration(batchSize: 128))
        let trainer = Trainer(backend: backend, options: TrainingOptions(
            learningRate: 3e-3, maximumEpochs: 4000, plateau: .init(patience: 50, cooldown: 20), seed: 4))
        let variance = y.pooledVariance
        // Stops as soon as the target is met (the trainer itself would go on to the epoch cap).
        do {
            try trainer.run(samples: data.sampleCount) { record in
                if record.losses.min()! < 1e-7 * variance { throw CancellationError() }
            }
        } catch is CancellationError {}
        let best = try backend.evaluateLosses().min()!
        #expect(best < 1e-6 * variance, "best relative MSE \(best / variance) after \(trainer.state.epochsDone) epochs")
    }
}
