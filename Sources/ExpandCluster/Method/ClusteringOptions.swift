/// The knobs of Phase 2 (see the README's "How the cut is made" for why these defaults).
public struct ClusteringOptions: Sendable, Codable, Equatable {
    /// A cluster is big when it holds neurons of at least ⌊γN⌋ distinct students.
    public var gamma: Double
    /// A cluster whose median pairwise angle exceeds β is too loose to be a neuron.
    public var betaDegrees: Double
    /// Neurons whose output contribution (‖outgoing‖ · std of the activation over the probe set)
    /// is below this fraction of the largest in their student are left out: dead or silenced
    /// units that would only blur the distances.
    public var negligibleContribution: Double
    public var cutRule: CutRule
    /// Whether the clustered vector is the direction of [w; b] (the paper's θ) or of w alone;
    /// nil chooses by class. With positive scaling (ReLU) the direction of [w; b] is the neuron's
    /// identity (its kink hyperplane). For smooth activations students represent a teacher neuron
    /// by units along its w direction whose norms and biases differ (several sigmoids with nearby
    /// parameters sum to one within 1e-7), and grow cancelling groups along that direction too: the
    /// w direction is shared by all of them, [w; b] is not.
    public var includeBias: Bool?
    /// Whether angles are measured in the data's metric (see `DataMetric`) rather than in raw
    /// coordinates.
    public var dataMetric: Bool
    /// Without polishing, a layer with a hidden layer after it also takes the neuron of a cluster
    /// below ⌊γN⌋ students when that cuts what the students' next layer reads and the layer
    /// cannot give by this factor (see `SpanGrowth`); nil never (and in settings written before
    /// it existed).
    public var spanGain: Double?
    /// Without polishing, recovered neurons of one layer whose outputs over the probe sample
    /// correlate at least this much are one neuron (see `DuplicateFolding`); nil never (and in
    /// settings written before it existed).
    public var duplicateCorrelation: Double?
    /// Without polishing, a recovered neuron goes after fine-tuning when the network fits the
    /// probe sample without it (its output handed to the next layer, or the readout refitted)
    /// within this factor of the loss it had, and below the toy criteria's MSE bound
    /// (see `NeuronPruning`); nil never (and in settings written before it existed).
    public var removalLossFactor: Double?

    public init(gamma: Double = 0.5, betaDegrees: Double = 60, negligibleContribution: Double = 1e-3,
                cutRule: CutRule = .stablePlateau, includeBias: Bool? = nil,
                dataMetric: Bool = true, spanGain: Double? = 1.4, duplicateCorrelation: Double? = 0.99,
                removalLossFactor: Double? = 10) {
        self.gamma = gamma
        self.betaDegrees = betaDegrees
        self.negligibleContribution = negligibleContribution
        self.cutRule = cutRule
        self.includeBias = includeBias
        self.dataMetric = dataMetric
        self.spanGain = spanGain
        self.duplicateCorrelation = duplicateCorrelation
        self.removalLossFactor = removalLossFactor
    }
}
