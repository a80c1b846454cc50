import ECCore
import ECEngine

/// Everything that sets one training phase (the expansion, a re-training between layers, the
/// fine-tuning, the pilots): Adam's rate and its plateau schedule, the minibatch, the epoch cap,
/// and the second-order polish that follows it.
public struct TrainingSettings: Sendable, Codable, Equatable {
    public var learningRate: Double
    public var schedule: PlateauSchedule.Options
    public var batchSize: Int
    public var maximumEpochs: Int
    /// Levenberg–Marquardt after Adam; it runs only in float64 and on students small enough for
    /// explicit Jacobians (`LevenbergMarquardt.applies`). nil: none. Whether a run is polished at
    /// all is the expansion's setting (`IdentifyOptions.polishes`).
    public var polish: LevenbergMarquardt.Options?
    /// Ends the training once the students' clusters are stable (the expansion of one hidden
    /// layer); nil: never (and in settings written before it existed).
    public var clusterStop: ClusterStopRule?
    /// float32: Adam's steps run in float32 in a float64 run, and the students return to float64
    /// for the polish and everything after it: a faster expansion that identifies fewer toy
    /// problems (Benchmarks/RESULTS.md). nil: the run's precision.
    public var precision: Precision?

    public init(learningRate: Double, schedule: PlateauSchedule.Options = .init(), batchSize: Int,
                maximumEpochs: Int, polish: LevenbergMarquardt.Options? = nil, clusterStop: ClusterStopRule? = nil,
                precision: Precision? = nil) {
        self.learningRate = learningRate
        self.schedule = schedule
        self.batchSize = batchSize
        self.maximumEpochs = maximumEpochs
        self.polish = polish
        self.clusterStop = clusterStop
        self.precision = precision
    }

    /// What the trainer needs: the minibatch order seeded by `seed`.
    func trainer(seed: UInt64) -> TrainingOptions {
        TrainingOptions(learningRate: learningRate, maximumEpochs: maximumEpochs, plateau: schedule, seed: seed)
    }

    /// What a backend needs; `rateScales` multiplies the rate per layer (0 freezes one), the skip
    /// term last.
    func engine(rateScales: [Double] = []) -> EngineConfiguration {
        EngineConfiguration(batchSize: batchSize, layerLearningRateScales: rateScales)
    }
}

extension TrainingSettings {
    /// The expansion of students with `hiddenLayers` hidden layers: Adam at the reference's 1e-3
    /// for one hidden layer; deeper students at 3e-2, which the plateau schedule brings down
    /// within a few thousand epochs (Benchmarks/RESULTS.md compares the rates). A student stops
    /// when its loss stalls (`PlateauSchedule.Options.stallWindow(hiddenLayers:)`), and students of
    /// one hidden layer all stop once their clusters are stable (`ClusterStopRule`); deep students'
    /// first-layer clusters say nothing of the layers above.
    public static func expansion(hiddenLayers: Int, batchSize: Int = 512, maximumEpochs: Int = 20_000) -> TrainingSettings {
        TrainingSettings(learningRate: hiddenLayers > 1 ? 3e-2 : 1e-3,
                         schedule: .init(stallWindow: PlateauSchedule.Options.stallWindow(hiddenLayers: hiddenLayers)),
                         batchSize: batchSize, maximumEpochs: maximumEpochs, polish: .students(hiddenLayers: hiddenLayers),
                         clusterStop: hiddenLayers == 1 ? ClusterStopRule() : nil)
    }

    /// Deep networks: the students re-trained after each rebuilt layer, the rebuilt layers up to
    /// it frozen.
    public static func retraining(hiddenLayers: Int, batchSize: Int = 512) -> TrainingSettings {
        TrainingSettings(learningRate: 1e-3, batchSize: batchSize, maximumEpochs: 5_000,
                         polish: .students(hiddenLayers: hiddenLayers))
    }

    /// The assembled network's fine-tuning (the skip term at 10× the rate), and each one after a pruning.
    public static func fineTuning(hiddenLayers: Int, batchSize: Int = 512) -> TrainingSettings {
        TrainingSettings(learningRate: 1e-4, batchSize: batchSize, maximumEpochs: 10_000,
                         polish: .students(hiddenLayers: hiddenLayers))
    }

    /// The short pilot expansions that choose ρ.
    public static func pilot(hiddenLayers: Int, batchSize: Int = 512) -> TrainingSettings {
        TrainingSettings(learningRate: 1e-3, schedule: .init(patience: 50, cooldown: 25), batchSize: batchSize,
                         maximumEpochs: 1_000, polish: .students(hiddenLayers: hiddenLayers))
    }
}
