import ECCore
import ECEngine
import Foundation

/// `ec teacher train`: a classifier teacher for the MNIST-scale experiments, trained as the
/// paper trained its MNIST teachers: hidden layers of one activation and a linear output unit
/// per class, softmax cross-entropy, plain SGD at a fixed learning rate (0.1) in minibatches of
/// 128 for a fixed number of epochs. The targets of a later probe are the raw logits.
public struct TeacherTraining: Sendable {
    public var hiddenWidths: [Int]
    public var activation: Activation
    public var epochs: Int
    public var learningRate: Double
    public var batchSize: Int
    /// Seeds the initialisation (PyTorch's nn.Linear default) and the minibatch order.
    public var seed: UInt64
    /// Train on the first this many training images only; nil: all of them.
    public var trainSamples: Int?
    public var precision: Precision
    public var backend: BackendChoice

    public init(hiddenWidths: [Int], activation: Activation, epochs: Int = 40, learningRate: Double = 0.1,
                batchSize: Int = 128, seed: UInt64 = 0, trainSamples: Int? = nil, precision: Precision = .float32,
                backend: BackendChoice = .init()) {
        self.hiddenWidths = hiddenWidths
        self.activation = activation
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.trainSamples = trainSamples
        self.precision = precision
        self.backend = backend
    }

    /// One epoch as it went.
    public struct Epoch: Sendable, Codable {
        public let epoch: Int
        public let epochs: Int
        /// Mean cross-entropy over the epoch's minibatches, as seen during the epoch.
        public let loss: Double
        /// Accuracy on the test images after the epoch (nil without test images).
        public let testAccuracy: Double?
        public let seconds: Double
    }

    /// The trained teacher and how it was made.
    public struct Result: Sendable {
        public let network: Network<Double>
        public let dataset: String
        public let trainSamples: Int
        public let testSamples: Int
        /// Cross-entropy on all training images with the final parameters.
        public let trainLoss: Double
        public let trainAccuracy: Double
        public let testAccuracy: Double?
        public let log: [Epoch]
        /// The device as the backend describes itself (a CPU run of one network uses one thread).
        public let device: String
        public let precision: Precision
        public let seconds: Double

        /// What the teacher file records about its making.
        public func metadata(_ options: TeacherTraining) -> [String: String] {
            var entries = ["generator": "ec teacher train", "dataset": dataset, "epochs": String(log.count),
                           "learning_rate": String(options.learningRate), "batch_size": String(options.batchSize),
                           "seed": String(options.seed), "train_samples": String(trainSamples),
                           "train_accuracy": String(trainAccuracy), "precision": precision.rawValue, "device": device]
            if let testAccuracy { entries["test_accuracy"] = String(testAccuracy) }
            return entries
        }
    }

    /// Loads `source` in the configured precision and trains on it.
    public func run(source: ImageDatasetSource, pixels: ProbeInputs.PixelNormalization = .standard,
                    progress: (Epoch) -> Void = { _ in }) throws -> Result {
        try validate()
        switch precision {
        case .float32: return try run(on: ImageDataset<Float>.load(source, pixels: pixels), progress: progress)
        case .float64: return try run(on: ImageDataset<Double>.load(source, pixels: pixels), progress: progress)
        }
    }

    /// Trains on a data set in memory, in its precision.
    public func run<T: Real>(on dataset: ImageDataset<T>, progress: (Epoch) -> Void = { _ in }) throws -> Result {
        try validate()
        let watch = Stopwatch()
        if let trainSamples, trainSamples > dataset.train.count {
            throw ECError.invalidArgument("--train-samples \(trainSamples) exceeds the \(dataset.train.count) training images of \(dataset.name)")
        }
        let train = dataset.train.prefix(trainSamples ?? dataset.train.count)
        let data = try TrainingData(inputs: train.images, labels: train.labels, classes: dataset.classes)
        let bank = try StudentBank<T>.random(widths: [train.images.columns] + hiddenWidths + [dataset.classes], count: 1,
                                             activation: activation, seed: seed)
        let engine = try backend.resolve(precision: T.precision).make(data: data, bank: bank, optimizerState: nil,
                                      configuration: EngineConfiguration(batchSize: batchSize, loss: .crossEntropy, optimizer: .sgd))
        var log = [Epoch]()
        for epoch in 1...epochs {
            let epochWatch = Stopwatch()
            var random = RandomSource(seed: seed, stream: Self.orderStream &+ UInt64(epoch))
            let loss = try engine.trainEpoch(order: random.permutation(train.count), learningRates: [learningRate])[0]
            guard loss.isFinite else {
                throw ECError.nonFiniteData("the teacher's loss became \(loss) in epoch \(epoch); try a lower --lr (got \(learningRate))")
            }
            let testAccuracy = try dataset.test.map { try engine.currentBank().student(0).accuracy(on: $0) }
            log.append(Epoch(epoch: epoch, epochs: epochs, loss: loss, testAccuracy: testAccuracy,
                             seconds: epochWatch.seconds))
            progress(log[log.count - 1])
        }
        let network = try engine.currentBank().student(0)
        return Result(network: network.converted(), dataset: dataset.name, trainSamples: train.count,
                      testSamples: dataset.test?.count ?? 0, trainLoss: try engine.evaluateLosses()[0],
                      trainAccuracy: network.accuracy(on: train), testAccuracy: log.last?.testAccuracy,
                      log: log, device: engine.deviceDescription, precision: T.precision,
                      seconds: watch.seconds)
    }

    /// Distinguishes the minibatch orders from the initialisation drawn from the same seed.
    private static let orderStream: UInt64 = 0x7EAC_4E50_0000

    /// Rejects settings that cannot train, naming the flag (also done by `run`).
    public func validate() throws {
        guard !hiddenWidths.isEmpty else { throw ECError.invalidArgument("--widths must name at least one hidden layer") }
        if let bad = hiddenWidths.first(where: { $0 <= 0 }) {
            throw ECError.invalidArgument("--widths must be positive widths (got \(bad))")
        }
        guard epochs > 0 else { throw ECError.invalidArgument("--epochs must be positive (got \(epochs))") }
        guard learningRate > 0, learningRate.isFinite else { throw ECError.invalidArgument("--lr must be positive (got \(learningRate))") }
        guard batchSize > 0 else { throw ECError.invalidArgument("--batch-size must be positive (got \(batchSize))") }
        if let trainSamples, trainSamples <= 0 {
            throw ECError.invalidArgument("--train-samples must be positive (got \(trainSamples))")
        }
    }
}

extension Network {
    /// The fraction of `samples` whose largest output is the one of their label.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func accuracy(on samples: LabelledImages<T>) -> Double {
        // In chunks, so that wide hidden layers of all 60,000 images never sit in memory at once.
        let chunk = 8192
        var correct = 0
        for start in stride(from: 0, to: samples.count, by: chunk) {
            let rows = start ..< min(samples.count, start + chunk)
            let logits = self(samples.images.rows(rows))
            for (r, sample) in rows.enumerated() {
                let row = logits.row(r)
                let predicted = row.indices.max { row[$0] < row[$1] }! - row.startIndex
                if predicted == Int(samples.labels[sample]) { correct += 1 }
            }
        }
        return Double(correct) / Double(max(samples.count, 1))
    }
}
