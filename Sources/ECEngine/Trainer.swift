import ECCore
import Foundation

/// How long and how fast to train a bank.
public struct TrainingOptions: Sendable, Codable, Equatable {
    public var learningRate: Double
    public var maximumEpochs: Int
    public var plateau: PlateauSchedule.Options
    /// Seeds the minibatch order; epoch e always uses the same order for the same seed, so a
    /// resumed run repeats exactly what an uninterrupted run would have done.
    public var seed: UInt64

    public init(learningRate: Double = 1e-3, maximumEpochs: Int = 25_000,
                plateau: PlateauSchedule.Options = .init(), seed: UInt64 = 0) {
        self.learningRate = learningRate
        self.maximumEpochs = maximumEpochs
        self.plateau = plateau
        self.seed = seed
    }
}

/// One epoch as the trainer saw it.
public struct EpochRecord: Sendable, Codable, Equatable {
    public let epoch: Int
    /// Per-student mean loss during the epoch.
    public let losses: [Double]
    /// Per-student learning rate used (0 for stopped students).
    public let learningRates: [Double]
    public let seconds: Double
    /// The minibatch size it trained with (nil in logs written before it was recorded), so that
    /// a log tells how many optimiser steps a phase took, which is what a step-bound GPU pays.
    public let batchSize: Int?

    public init(epoch: Int, losses: [Double], learningRates: [Double], seconds: Double, batchSize: Int?) {
        self.epoch = epoch
        self.losses = losses
        self.learningRates = learningRates
        self.seconds = seconds
        self.batchSize = batchSize
    }
}

/// Where a training run stands: what a checkpoint stores besides the parameters.
public struct TrainerState: Sendable, Codable, Equatable {
    public var epochsDone: Int
    public var schedules: [PlateauSchedule]
    public var lastLosses: [Double]

    public init(epochsDone: Int, schedules: [PlateauSchedule], lastLosses: [Double]) {
        self.epochsDone = epochsDone
        self.schedules = schedules
        self.lastLosses = lastLosses
    }
}

/// Drives a backend epoch by epoch with per-student plateau schedules until every student has
/// stopped or the epoch cap is reached.
public final class Trainer<T: Real> {
    public let backend: any TrainingBackend<T>
    public let options: TrainingOptions
    public private(set) var state: TrainerState

    public init(backend: any TrainingBackend<T>, options: TrainingOptions, resumeFrom state: TrainerState? = nil) {
        self.backend = backend
        self.options = options
        self.state = state ?? TrainerState(
            epochsDone: 0,
            schedules: Array(repeating: PlateauSchedule(learningRate: options.learningRate, options: options.plateau),
                             count: backend.studentCount),
            lastLosses: Array(repeating: .infinity, count: backend.studentCount))
    }

    public var finished: Bool {
        state.epochsDone >= options.maximumEpochs || state.schedules.allSatisfy(\.stopped)
    }

    /// The sample order of epoch `epoch` (counting from 0).
    public func order(forEpoch epoch: Int, samples: Int) -> [Int32] {
        var random = RandomSource(seed: options.seed, stream: 0x0BA7_C400_0000 &+ UInt64(epoch))
        return random.permutation(samples)
    }

    /// Trains one epoch and updates the schedules.
    @discardableResult
    public func trainEpoch(samples: Int) throws -> EpochRecord {
        let watch = Stopwatch()
        let rates = state.schedules.map { $0.effectiveLearningRate(epoch: state.epochsDone) }
        let losses = try backend.trainEpoch(order: order(forEpoch: state.epochsDone, samples: samples), learningRates: rates)
        // A diverged student is stopped and left out downstream by its non-finite loss; the
        // others are independent of it. Only when all have diverged is the run hopeless.
        if losses.allSatisfy({ !$0.isFinite }) {
            throw ECError.nonFiniteData("every student diverged at epoch \(state.epochsDone + 1); try a lower learning rate")
        }
        for s in state.schedules.indices {
            if losses[s].isFinite { state.schedules[s].record(loss: losses[s]) } else { state.schedules[s].stop() }
        }
        state.epochsDone += 1
        state.lastLosses = losses
        return EpochRecord(epoch: state.epochsDone, losses: losses, learningRates: rates,
                           seconds: watch.seconds, batchSize: backend.configuration.batchSize)
    }

    /// Stops every student: the caller knows that more epochs would not change the outcome.
    public func stopAll() {
        for s in state.schedules.indices { state.schedules[s].stop() }
    }

    /// Trains until finished, calling `onEpoch` after every epoch (for progress, logs and
    /// checkpoints; throwing from it stops the run).
    public func run(samples: Int, onEpoch: (EpochRecord) throws -> Void = { _ in }) throws {
        while !finished { try onEpoch(try trainEpoch(samples: samples)) }
    }
}
