import Foundation

/// Reduce-on-plateau learning-rate schedule for one student, following PyTorch's
/// ReduceLROnPlateau (mode "min", relative threshold), with three additions: a student whose rate
/// has been reduced to the minimum stops training, so does one whose best loss no longer halves
/// within a window of epochs (optional), and an optional cosine decay on top.
public struct PlateauSchedule: Sendable, Codable, Equatable {
    public struct Options: Sendable, Codable, Equatable {
        /// Multiplier applied at each reduction (1/√10 in the reference).
        public var factor: Double
        /// Epochs without improvement tolerated before a reduction.
        public var patience: Int
        /// Epochs after a reduction during which no bad epochs are counted.
        public var cooldown: Int
        /// A student stops once its rate has been reduced to this (1e-7: 8 reductions from 1e-3).
        public var minimumLearningRate: Double
        /// An epoch improves when its loss is below best·(1 − threshold).
        public var threshold: Double
        /// Cosine decay over this many epochs: in epoch t (from 0) the rate is also multiplied by
        /// (1 + cos(π·t/T))/2, which reaches 0 at T; nil: none. Why: at minibatches of 128 deep
        /// MNIST students sit on a noise floor at each rate, which a lower rate halves at once,
        /// yet the loss still creeps down, so the plateau test lowers the rate late (RESULTS.md).
        public var cosineEpochs: Int?
        /// A student also stops when its best loss has not halved over this many epochs (checked
        /// at the end of each such window): the plateau test alone lets a student whose loss
        /// creeps down by 1e-4 per epoch train for ever at its last rates. nil: never.
        public var stallWindow: Int?

        public init(factor: Double = 1 / 10.0.squareRoot(), patience: Int = 100, cooldown: Int = 100,
                    minimumLearningRate: Double = 1e-7, threshold: Double = 1e-4, cosineEpochs: Int? = nil,
                    stallWindow: Int? = nil) {
            self.factor = factor
            self.patience = patience
            self.cooldown = cooldown
            self.minimumLearningRate = minimumLearningRate
            self.threshold = threshold
            self.cosineEpochs = cosineEpochs
            self.stallWindow = stallWindow
        }

        /// The stall window of students with `hiddenLayers` hidden layers: 1,000 epochs for one
        /// (on toy teachers a student whose loss no longer halves in 1,000 epochs gains nothing
        /// that the polish does not; Benchmarks/RESULTS.md), none deeper, where students are
        /// known to wait long before a sudden descent.
        public static func stallWindow(hiddenLayers: Int) -> Int? {
            hiddenLayers == 1 ? 1_000 : nil
        }
    }

    public enum Event: Sendable, Equatable {
        case reduced(to: Double)
        case stopped
    }

    public let options: Options
    public private(set) var learningRate: Double
    public private(set) var best: Double = .infinity
    public private(set) var badEpochs = 0
    public private(set) var cooldownLeft = 0
    public private(set) var stopped = false
    /// The best loss at the end of the last stall window (nil before the first ends), and the
    /// epochs recorded since.
    public private(set) var windowBest: Double?
    public private(set) var windowEpochs = 0

    public init(learningRate: Double, options: Options = Options()) {
        self.learningRate = learningRate
        self.options = options
    }

    /// The rate to train epoch `epoch` (from 0) with: 0 once stopped. The epoch is the trainer's
    /// count, which its checkpoints keep, so the schedule holds no second one.
    public func effectiveLearningRate(epoch: Int) -> Double {
        guard !stopped else { return 0 }
        guard let total = options.cosineEpochs, total > 0 else { return learningRate }
        return learningRate * (1 + cos(Double.pi * Double(min(epoch, total)) / Double(total))) / 2
    }

    /// Stops the student now (e.g. because its loss is no longer finite).
    public mutating func stop() { stopped = true }

    /// Records one epoch's loss and reports a reduction or the stop it causes.
    @discardableResult
    public mutating func record(loss: Double) -> Event? {
        guard !stopped else { return nil }
        if loss < best * (1 - options.threshold) {
            best = loss
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if let window = options.stallWindow {
            windowEpochs += 1
            if windowEpochs >= window {
                guard 2 * best <= windowBest ?? .infinity else {
                    stopped = true
                    return .stopped
                }
                (windowBest, windowEpochs) = (best, 0)
            }
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        guard badEpochs > options.patience else { return nil }
        learningRate *= options.factor
        cooldownLeft = options.cooldown
        badEpochs = 0
        // Relative slack so that 1e-3·(1/√10)⁸, which rounds to just above 1e-7, counts as reaching it.
        if learningRate <= options.minimumLearningRate * (1 + 1e-9) {
            stopped = true
            return .stopped
        }
        return .reduced(to: learningRate)
    }
}
