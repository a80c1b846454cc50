import ECCore
import ECEngine

/// Everything `identify` needs to know besides the probe set. `init` gives the default recipe
/// for a teacher of `hiddenLayers` hidden layers; each setting can then be changed.
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
    public var backend: BackendChoice
    /// The training phases: the expansion, the re-training of the students after each rebuilt
    /// layer of a deep network, and the fine-tuning of the recovered network.
    public var expansion: TrainingSettings
    public var retraining: TrainingSettings
    public var fineTuning: TrainingSettings
    public var pilot: PilotOptions
    public var clustering: ClusteringOptions
    /// Input coordinates used for clustering and comparison (true = kept); nil keeps all.
    public var inputMask: [Bool]?
    public var seed: UInt64
    /// The scale the recipe was chosen for (`recipe`); nil where the options were built otherwise.
    public var scale: RunScale?
    /// When an exact recovered network is reduced, removals whose cost with only the readout
    /// refitted (MSE / Var(y) on a sample) is below this are tried first, all at once (see
    /// `ExactFitRefinement`).
    public var redundancyTolerance: Double = 1e-8
    /// A running training phase is checkpointed at most this often (and when it ends).
    public var checkpointSeconds: Double = 60

    public init(activation: Activation, hiddenLayers: Int, referenceWidths: [Int], students: Int = 20,
                rho: Double? = nil, precision: Precision = .float64, backend: BackendChoice = .init(),
                batchSize: Int = 512, expansionEpochs: Int = 20_000, seed: UInt64 = 0) {
        self.activation = activation
        self.hiddenLayers = hiddenLayers
        self.referenceWidths = referenceWidths
        self.students = students
        self.rho = rho
        self.precision = precision
        self.backend = backend
        expansion = .expansion(hiddenLayers: hiddenLayers, batchSize: batchSize, maximumEpochs: expansionEpochs)
        retraining = .retraining(hiddenLayers: hiddenLayers, batchSize: batchSize)
        fineTuning = .fineTuning(hiddenLayers: hiddenLayers, batchSize: batchSize)
        pilot = PilotOptions(training: .pilot(hiddenLayers: hiddenLayers, batchSize: batchSize))
        clustering = ClusteringOptions()
        self.seed = seed
    }

    /// Whether the students get polished: float64 runs whose expansion has a polish (the other
    /// phases' polishes are set alike, which `validateFields` checks; the students must also be
    /// small enough: `LevenbergMarquardt.applies`). Polished runs judge the recovered network by
    /// exactness (`ExactFitRefinement`) instead of the float32 clean-ups.
    var polishes: Bool { expansion.polish != nil && precision == .float64 }

    /// Caps every phase's polish at `iterations` Levenberg–Marquardt steps; 0 turns polishing off.
    public mutating func setPolishIterations(_ iterations: Int) {
        for phase in [\IdentifyOptions.expansion, \.retraining, \.fineTuning, \.pilot.training] {
            if iterations > 0 { self[keyPath: phase].polish?.maximumIterations = iterations } else { self[keyPath: phase].polish = nil }
        }
    }

    /// Sets the precision of Adam's steps in the expansion and the pilots (`TrainingSettings.precision`).
    public mutating func setAdamPrecision(_ precision: Precision) {
        (expansion.precision, pilot.training.precision) = (precision, precision)
    }

    /// Student hidden widths for expansion factor `rho`.
    public func studentWidths(rho: Double) -> [Int] {
        referenceWidths.map { max(1, Int((rho * Double($0)).rounded())) }
    }

    /// Every field's check (`validateFields`), and the input mask against the probe's inputs.
    func validate(inputs: Int) throws {
        try validateFields()
        if let inputMask, inputMask.count != inputs {
            throw ECError.shapeMismatch("the input mask has \(inputMask.count) entries for \(inputs) inputs")
        }
    }
}

/// Short runs that choose ρ when it is not given.
public struct PilotOptions: Sendable, Codable, Equatable {
    public var ladder: [Double]
    public var students: Int
    public var training: TrainingSettings
    /// A pilot student reaches the floor when its MSE / Var(y) is below this; nil: 1e-8 when the
    /// students are polished (those that find the teacher reach far below, those that do not
    /// stay above 1e-6), 1e-5 otherwise.
    public var floor: Double?
    /// ρ is chosen when at least this fraction of its pilot students reach the floor.
    public var fraction: Double

    public init(ladder: [Double] = [1, 2, 3, 4, 6, 8], students: Int = 4, training: TrainingSettings,
                floor: Double? = nil, fraction: Double = 0.75) {
        self.ladder = ladder
        self.students = students
        self.training = training
        self.floor = floor
        self.fraction = fraction
    }
}
