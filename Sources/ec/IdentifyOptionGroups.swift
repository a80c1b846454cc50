import ArgumentParser
import ECCore
import ExpandCluster

// The flags of `ec identify`, one group per step of the method, so that `--help` lists them under
// the step they set. ArgumentParser prints every declared default; a default that depends on
// other flags is nil here and its help says what it depends on.

/// What is identified: the probe set, the teacher's shape, and the data the result is judged on.
struct IdentifyDataFlags: ParsableArguments {
    @Option(help: "Probe file (.npz with x and y).") var probe: String?
    @Option(help: "Hidden activation of the teacher.") var activation: Activation?
    @Option(parsing: .unconditional, help: "Number of hidden layers of the teacher.") var hiddenLayers = 1
    @Option(help: "The teacher, when known: the result is compared with it.") var teacher: String?
    @Option(help: "Fresh inputs for the comparison: a file or fashion-mnist:test (default: Gaussian).")
    var freshInputs: String?
    @Option(help: "auto: leave out input coordinates that barely vary over the probe set; none: keep all.")
    var mask: InputMaskRule = .auto

    func validate() throws {
        try FlagCheck.positive(hiddenLayers, "--hidden-layers")
    }
}

/// The students: how many, how wide, and how they train and are polished.
struct ExpansionFlags: ParsableArguments {
    /// The width per hidden layer that ρ multiplies when neither a teacher nor reference widths say.
    static let fallbackWidth = 8

    @Option(parsing: .unconditional, help: "Expansion factor ρ (default: chosen by pilot runs).") var rho: Double?
    @Option(help: "Widths ρ multiplies, e.g. 64 or 30,30,30 (default: the teacher's, else \(fallbackWidth) per layer).")
    var referenceWidths: Widths?
    @Option(parsing: .unconditional, help: "Number of students N (default: 20; at large scale 5 with one hidden layer, 10 deeper).") var students: Int?
    @Option(parsing: .unconditional, help: "Epoch cap of the expansion (default: 20000; at large scale, by depth and samples).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate of the expansion (default: chosen by depth and scale).") var lr: Double?
    @OptionGroup var plateau: PlateauOptions
    @Option(parsing: .unconditional,
            help: "End an expansion of one hidden layer once this many cluster checks in a row found the big clusters of the check before; 0: never (default: 3).")
    var clusterChecks: Int?
    @Option(parsing: .unconditional, help: "Minibatch size of every training phase (default: 512; 128 at large scale).")
    var batchSize: Int?
    @Option(parsing: .unconditional, help: "Levenberg–Marquardt iterations of every polish (pilots, students, recovered network); 0: none (default: chosen by depth).")
    var polishIterations: Int?
    @Option(help: "Precision of Adam's steps in the expansion and the pilots; float32 in a float64 run is faster, and the polish and everything after it stay float64 (default: --precision).")
    var adamPrecision: Precision?
    @Option(help: "Random seed.") var seed: UInt64 = 0

    func validate() throws {
        try referenceWidths?.validate("--reference-widths")
        if let rho { try FlagCheck.positiveFinite(rho, "--rho") }
        // A cluster is a group of neurons from several students.
        if let students { try FlagCheck.require(students >= 2, "--students", "at least 2", got: students) }
        if let epochs { try FlagCheck.positive(epochs, "--epochs") }
        if let clusterChecks { try FlagCheck.require(clusterChecks >= 0, "--cluster-checks", "0 or more", got: clusterChecks) }
        if let lr { try FlagCheck.positiveFinite(lr, "--lr") }
        if let batchSize { try FlagCheck.positive(batchSize, "--batch-size") }
        if let polishIterations {
            try FlagCheck.require(polishIterations >= 0, "--polish-iterations", "0 or more", got: polishIterations)
        }
    }
}

/// Which clusters of student neurons become teacher neurons.
struct ClusteringFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: "A cluster is kept when it holds neurons of ⌊γN⌋ students.") var gamma = 0.5
    @Option(parsing: .unconditional, help: "Clusters with a median pairwise angle above β degrees are dropped.")
    var betaDeg = 60.0
    @Option(help: "Where to cut the tree (largest-count is the paper's rule).") var cutRule: CutRule = .stablePlateau

    func validate() throws {
        try FlagCheck.require(gamma > 0 && gamma <= 1, "--gamma", "in (0, 1]", got: gamma)
        try FlagCheck.require(betaDeg > 0 && betaDeg <= 90, "--beta-deg", "in (0, 90]", got: betaDeg)
    }
}

/// How unpolished runs (float32 image runs) complete and trim the rebuilt layers; 0 turns each off.
struct ReconstructionFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: "Add a below-⌊γN⌋ cluster's neuron when it explains this factor more of the next layer; 0: never.")
    var spanGain = 1.4
    @Option(parsing: .unconditional, help: "Fold neurons whose outputs correlate at least this much; 0: never.")
    var duplicateCorrelation = 0.99
    @Option(parsing: .unconditional, help: "Remove a neuron when the fit without it stays within this factor of the loss; 0: never.")
    var removalLossFactor = 10.0

    func validate() throws {
        try FlagCheck.require(spanGain == 0 || (spanGain > 1 && spanGain.isFinite), "--span-gain", "0 or a finite number above 1", got: spanGain)
        try FlagCheck.require(duplicateCorrelation >= 0 && duplicateCorrelation <= 1, "--duplicate-correlation", "in [0, 1]", got: duplicateCorrelation)
        try FlagCheck.require(removalLossFactor == 0 || (removalLossFactor >= 1 && removalLossFactor.isFinite), "--removal-loss-factor",
                              "0 or a finite number of at least 1", got: removalLossFactor)
    }
}

/// The re-training of the students after each rebuilt layer, and of the assembled network.
struct FineTuningFlags: ParsableArguments {
    @Option(parsing: .unconditional,
            help: "Epoch cap of each re-training of the students after a rebuilt layer (deep networks; default: 5000, at large scale by samples).")
    var layerFineTuneEpochs: Int?
    @Option(parsing: .unconditional, help: "Epoch cap of each fine-tuning of the assembled network (default: 10000, at large scale by samples).")
    var fineTuneEpochs: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate of each fine-tuning of the assembled network (default: 1e-4; 1e-3 for deep networks at large scale).")
    var fineTuneLr: Double?
    @Option(parsing: .unconditional, help: "Minibatch size of each fine-tuning of the assembled network (default: --batch-size; 1024 for deep networks at large scale).")
    var fineTuneBatchSize: Int?

    func validate() throws {
        if let layerFineTuneEpochs { try FlagCheck.positive(layerFineTuneEpochs, "--layer-fine-tune-epochs") }
        if let fineTuneEpochs { try FlagCheck.positive(fineTuneEpochs, "--fine-tune-epochs") }
        if let fineTuneLr { try FlagCheck.positiveFinite(fineTuneLr, "--fine-tune-lr") }
        if let fineTuneBatchSize { try FlagCheck.positive(fineTuneBatchSize, "--fine-tune-batch-size") }
    }
}

/// Where the run's files go, and how its result is printed.
struct IdentifyOutputFlags: ParsableArguments {
    @Option(help: "Output directory.") var output: String?
    @Option(help: "Continue the run in this output directory where it stopped.") var resume: String?
    @Flag(help: "Print the report as JSON on stdout.") var json = false
}

