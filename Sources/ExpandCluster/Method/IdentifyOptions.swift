import ECCore
import ECEngine

/// Everything `identify` needs to know besides the probe set.
public struct IdentifyOptions: Sendable, Codable, Equatable {
    public var activation: Activation
    public var hiddenLayers: Int
    /// Number of students N of the main expansion.
    public var students: Int
    /// Expansion factor; nil chooses it with pilot runs (see `RhoSelection`).
    public var rho: Double?
    /// The widths ρ multiplies: the teacher's when known (toy problems), or a user's estimate.
    public var referenceWidths: [Int]
    public var precision: Precision
    public var backend: BackendSelection
    public var batchSize: Int
    /// Training of the students (Adam with the plateau schedule); starts as
    /// `TrainingOptions.expansion(hiddenLayers:)`.
    public var expansion: TrainingOptions
    /// Deep networks: re-training of the students after each reconstructed layer, that layer frozen.
    public var layerFineTune: TrainingOptions
    /// Training of the assembled network (Adam at 1e-4, the skip term at 10×).
    public var finalFineTune: TrainingOptions
    /// The minibatch size of `finalFineTune`; nil: `batchSize`. One network at a time is too
    /// little work to fill a GPU, so a step there costs about the same at 1,024 samples as at 128.
    public var finalFineTuneBatchSize: Int?
    public var clustering: ClusteringOptions
    public var pilot: PilotOptions
    /// Second-order polishing of the students after Adam (float64, small students); nil: off.
    /// Starts as `LevenbergMarquardt.Options.students(hiddenLayers:)`.
    public var polish: LevenbergMarquardt.Options?
    /// Input coordinates used for clustering and comparison (true = kept); nil keeps all.
    public var inputMask: [Bool]?
    public var seed: UInt64
    /// When an exact recovered network is reduced, removals whose cost with only the readout
    /// refitted (MSE / Var(y) on a sample) is below this are tried first, all at once (see
    /// `ExactFitRefinement`).
    public var redundancyTolerance: Double = 1e-8
    /// A running training phase is checkpointed at most this often (and when it ends).
    public var checkpointSeconds: Double = 60

    public init(activation: Activation, hiddenLayers: Int, referenceWidths: [Int], students: Int = 20,
                rho: Double? = nil, precision: Precision = .float64, backend: BackendSelection = .init(),
                batchSize: Int = 512, expansion: TrainingOptions? = nil,
                layerFineTune: TrainingOptions = .init(maximumEpochs: 5_000),
                finalFineTune: TrainingOptions = .init(learningRate: 1e-4, maximumEpochs: 10_000),
                clustering: ClusteringOptions = .init(), pilot: PilotOptions = .init(),
                inputMask: [Bool]? = nil, seed: UInt64 = 0) {
        self.activation = activation
        self.hiddenLayers = hiddenLayers
        self.referenceWidths = referenceWidths
        self.students = students
        self.rho = rho
        self.precision = precision
        self.backend = backend
        self.batchSize = batchSize
        self.expansion = expansion ?? .expansion(hiddenLayers: hiddenLayers)
        self.layerFineTune = layerFineTune
        self.finalFineTune = finalFineTune
        self.clustering = clustering
        self.pilot = pilot
        self.polish = .students(hiddenLayers: hiddenLayers)
        self.inputMask = inputMask
        self.seed = seed
    }

    /// Whether the students get polished: float64 runs (of small students; see
    /// `LevenbergMarquardt.applies`).
    var polishes: Bool { polish != nil && precision == .float64 }

    /// Student hidden widths for expansion factor `rho`.
    public func studentWidths(rho: Double) -> [Int] {
        referenceWidths.map { max(1, Int((rho * Double($0)).rounded())) }
    }

    func validate(inputs: Int) throws {
        guard hiddenLayers >= 1 else { throw ECError.invalidArgument("--hidden-layers must be at least 1 (got \(hiddenLayers))") }
        guard referenceWidths.count == hiddenLayers, referenceWidths.allSatisfy({ $0 > 0 }) else {
            throw ECError.invalidArgument("reference widths \(referenceWidths) do not give one positive width per hidden layer (\(hiddenLayers))")
        }
        guard students >= 2 else { throw ECError.invalidArgument("--students must be at least 2 (got \(students))") }
        if let rho, !(rho > 0) { throw ECError.invalidArgument("--rho must be positive (got \(rho))") }
        guard clustering.gamma > 0, clustering.gamma <= 1 else {
            throw ECError.invalidArgument("--gamma must be in (0, 1] (got \(clustering.gamma))")
        }
        guard clustering.betaDegrees > 0, clustering.betaDegrees <= 90 else {
            throw ECError.invalidArgument("--beta-deg must be in (0, 90] (got \(clustering.betaDegrees))")
        }
        if let finalFineTuneBatchSize, finalFineTuneBatchSize < 1 {
            throw ECError.invalidArgument("--fine-tune-batch-size must be positive (got \(finalFineTuneBatchSize))")
        }
        if let inputMask, inputMask.count != inputs {
            throw ECError.shapeMismatch("the input mask has \(inputMask.count) entries for \(inputs) inputs")
        }
    }
}

extension TrainingOptions {
    /// The expansion of students with `hiddenLayers` hidden layers. One hidden layer: Adam at
    /// the reference's 1e-3. Deeper: at 3e-2, which the plateau schedule brings down within a
    /// few thousand epochs. On 4-4-3-1 g teachers (students 4-16-12-1, 20 of them, 4,000
    /// epochs) the median MSE / Var(y) was 1.6e-3 at 1e-3, 6.5e-4 at 1e-2, 1.9e-5 at 3e-2 and
    /// 7.1e-4 at 1e-1 (seed 1); 1.7e-4 at 1e-3 and 4.9e-6 at 3e-2 (seed 2). On a 784-8-8-10
    /// Fashion-MNIST teacher (10 students 784-32-32-10, float32, 1,500 epochs): 1.4e-3 and 4.2e-4.
    public static func expansion(hiddenLayers: Int, maximumEpochs: Int = 20_000) -> TrainingOptions {
        TrainingOptions(learningRate: hiddenLayers > 1 ? 3e-2 : 1e-3, maximumEpochs: maximumEpochs)
    }
}

/// Short runs that choose ρ when it is not given.
public struct PilotOptions: Sendable, Codable, Equatable {
    public var ladder: [Double]
    public var students: Int
    public var training: TrainingOptions
    /// A pilot student reaches the floor when its MSE / Var(y) is below this; nil: 1e-8 when the
    /// students are polished (those that find the teacher reach 1e-12 and below, those that do
    /// not stay above 1e-6), 1e-5 otherwise.
    public var floor: Double?
    /// ρ is chosen when at least this fraction of its pilot students reach the floor.
    public var fraction: Double

    public init(ladder: [Double] = [1, 2, 3, 4, 6, 8], students: Int = 4,
                training: TrainingOptions = .init(maximumEpochs: 1_000, plateau: .init(patience: 50, cooldown: 25)),
                floor: Double? = nil, fraction: Double = 0.75) {
        self.ladder = ladder
        self.students = students
        self.training = training
        self.floor = floor
        self.fraction = fraction
    }
}
