import ArgumentParser
import ECCore
import ECEngine
import ECFormats
import ExpandCluster
import Foundation

struct IdentifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Recover a network from its probe set: expand, cluster, reconstruct, fine-tune.",
        discussion: """
            Without arguments, runs the built-in demo: a toy teacher (4-4-1, activation g) probed with \
            10,000 Gaussian inputs and identified on whatever device is present, output in ./ec-demo.
            """)

    @Option(help: "Probe file (.npz with x and y).") var probe: String?
    @Option(help: "Hidden activation of the teacher.") var activation: Activation?
    @Option(parsing: .unconditional, help: "Number of hidden layers of the teacher.") var hiddenLayers = 1
    @Option(help: "The teacher, when known: the result is compared with it (and its widths are the reference for ρ).")
    var teacher: String?
    @Option(parsing: .unconditional, help: "Expansion factor ρ (default: chosen with pilot runs).") var rho: Double?
    @Option(help: "Widths ρ multiplies, e.g. 64 or 30,30,30 (default: the teacher's, else 8 per layer).")
    var referenceWidths: Widths?
    @Option(parsing: .unconditional, help: "Number of students N.") var students = 20
    @Option(parsing: .unconditional, help: "A cluster is kept when it holds neurons of ⌊γN⌋ students.") var gamma = 0.5
    @Option(parsing: .unconditional, help: "Clusters with a median pairwise angle above β degrees are dropped.")
    var betaDeg = 60.0
    @Option(parsing: .unconditional, help: "Epoch cap of the expansion.") var epochs = 20_000
    @Option(parsing: .unconditional,
            help: "Epoch cap of each re-training of the students after a reconstructed layer, in deep networks (default: 5000).")
    var layerFineTuneEpochs: Int?
    @Option(parsing: .unconditional,
            help: "Epoch cap of the final fine-tuning and of each fine-tuning after a pruning (default: 10000; the reference: 5000-25000).")
    var fineTuneEpochs: Int?
    @Option(parsing: .unconditional,
            help: "Adam learning rate of the final fine-tuning and of each fine-tuning after a pruning (default: 1e-4).")
    var fineTuneLr: Double?
    @Option(parsing: .unconditional,
            help: "Minibatch size of the final fine-tuning and of each fine-tuning after a pruning (default: --batch-size).")
    var fineTuneBatchSize: Int?
    @Option(parsing: .unconditional,
            help: "Adam learning rate of the expansion, lowered by the plateau schedule down to 1e-7 (default: 1e-3 for one hidden layer, 3e-2 deeper).")
    var lr: Double?
    @OptionGroup var plateau: PlateauOptions
    @Option(parsing: .unconditional,
            help: "Minibatch size of every training phase (default: 512 as in the reference; 128 trains image probes faster, README).")
    var batchSize: Int?
    @Option(parsing: .unconditional,
            help: "Levenberg–Marquardt iterations polishing each student (float64); 0 turns polishing off (default: 1000 for one hidden layer, 5000 deeper).")
    var polishIterations: Int?
    @Option(parsing: .unconditional,
            help: "Without polishing, a layer with a hidden layer after it also takes the neuron of a cluster below ⌊γN⌋ students that cuts the share of the students' next-layer input it leaves unexplained by this factor; 0: never (README).")
    var spanGain = 1.4
    @Option(parsing: .unconditional,
            help: "Without polishing, recovered neurons of a layer whose outputs over the probe set correlate at least this much are folded into one; 0: never (README).")
    var duplicateCorrelation = 0.99
    @Option(parsing: .unconditional,
            help: "Without polishing, a recovered neuron goes after fine-tuning when the network fits the probe set without it within this factor of its loss (and below 1e-4 of Var(y)); 0: never (README).")
    var removalLossFactor = 10.0
    @Option(help: "Where to cut the tree: stable-plateau (default) or largest-count (the paper's rule).")
    var cutRule: CutRule = .stablePlateau
    @Option(help: "auto: cluster and compare without the input coordinates that barely vary over the probe inputs (Gaussian probes keep all); none: keep all.")
    var mask: InputMaskRule = .auto
    @Option(help: "Fresh inputs for the comparison with --teacher: a file, or fashion-mnist:test (default: Gaussian N(0, I)).")
    var freshInputs: String?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @OptionGroup var engine: EngineOptions
    @Option(help: "Output directory.") var output: String?
    @Option(help: "Continue the run in this output directory where it stopped.") var resume: String?
    @Flag(help: "Print the report as JSON on stdout.") var json = false

    func validate() throws {
        if probe == nil && resume == nil && (activation != nil || teacher != nil) {
            // Without --probe, `ec identify` is the built-in demo, which would ignore them.
            throw ValidationError("--probe is required with --activation or --teacher")
        }
        if probe != nil && resume == nil {
            guard activation != nil else { throw ValidationError("--activation is required with --probe") }
            guard output != nil else { throw ValidationError("--output is required with --probe") }
        }
        // An empty --output would be the current directory.
        if let output { try FlagCheck.require(!output.isEmpty, "--output", "a directory name", got: "\"\"") }
        try FlagCheck.positive(hiddenLayers, "--hidden-layers")
        try referenceWidths?.validate("--reference-widths")
        // A cluster is a group of neurons from several students.
        try FlagCheck.require(students >= 2, "--students", "at least 2", got: students)
        try FlagCheck.require(gamma > 0 && gamma <= 1, "--gamma", "in (0, 1]", got: gamma)
        try FlagCheck.require(betaDeg > 0 && betaDeg <= 90, "--beta-deg", "in (0, 90]", got: betaDeg)
        try FlagCheck.require(spanGain == 0 || (spanGain > 1 && spanGain.isFinite), "--span-gain", "0 or a finite number above 1", got: spanGain)
        try FlagCheck.require(duplicateCorrelation >= 0 && duplicateCorrelation <= 1, "--duplicate-correlation", "in [0, 1]", got: duplicateCorrelation)
        try FlagCheck.require(removalLossFactor == 0 || (removalLossFactor >= 1 && removalLossFactor.isFinite), "--removal-loss-factor",
                              "0 or a finite number of at least 1", got: removalLossFactor)
        try FlagCheck.positive(epochs, "--epochs")
        if let layerFineTuneEpochs { try FlagCheck.positive(layerFineTuneEpochs, "--layer-fine-tune-epochs") }
        if let fineTuneEpochs { try FlagCheck.positive(fineTuneEpochs, "--fine-tune-epochs") }
        if let fineTuneLr { try FlagCheck.positiveFinite(fineTuneLr, "--fine-tune-lr") }
        if let fineTuneBatchSize { try FlagCheck.positive(fineTuneBatchSize, "--fine-tune-batch-size") }
        if let lr { try FlagCheck.positiveFinite(lr, "--lr") }
        if let batchSize { try FlagCheck.positive(batchSize, "--batch-size") }
        if let rho { try FlagCheck.positiveFinite(rho, "--rho") }
        if let polishIterations {
            try FlagCheck.require(polishIterations >= 0, "--polish-iterations", "0 or more", got: polishIterations)
        }
    }

    func run() async throws {
        let printer = ProgressPrinter()
        let run: IdentifyRun
        if let resume {
            run = try IdentifyRun(resuming: fileURL(resume))
        } else if let probe, let activation, let output {
            run = try IdentifyRun(settings: try settings(probe: probe, activation: activation), directory: fileURL(output))
        } else {
            run = try DemoSetup.prepare(directory: fileURL(output ?? "ec-demo"), engine: engine, printer: printer)
        }
        let outcome = try StopSignal.running(printer, continuing: ["identify", "--resume", run.directory.url.relativePath]) {
            try run.run(progress: printer.handle, stopRequested: $0)
        }
        printer.finish()
        if json {
            try printJSON(outcome.report)
        } else {
            print(ResultSummary(report: outcome.report, directory: run.directory.url.relativePath).text)
        }
    }

    /// The settings of a new run; `validate()` has checked the flags.
    private func settings(probe: String, activation: Activation) throws -> IdentifySettings {
        let teacherNetwork = try teacher.map { try Network<Double>.load(from: fileURL($0)) }
        if let teacherNetwork { try NetworkComparison.requireComparable(teacher: teacherNetwork.activation, recovered: activation) }
        let reference = referenceWidths?.values
            ?? teacherNetwork?.hiddenWidths ?? Array(repeating: 8, count: hiddenLayers)
        var options = IdentifyOptions(activation: activation, hiddenLayers: hiddenLayers, referenceWidths: reference,
                                      students: students, rho: rho, precision: engine.precision, backend: engine.selection,
                                      expansion: .expansion(hiddenLayers: hiddenLayers, maximumEpochs: epochs), seed: seed)
        if let lr { options.expansion.learningRate = lr }
        options.expansion.plateau = plateau.options(epochs: epochs)
        if let layerFineTuneEpochs { options.layerFineTune.maximumEpochs = layerFineTuneEpochs }
        if let fineTuneEpochs { options.finalFineTune.maximumEpochs = fineTuneEpochs }
        if let fineTuneLr { options.finalFineTune.learningRate = fineTuneLr }
        options.finalFineTuneBatchSize = fineTuneBatchSize
        if let batchSize { options.batchSize = batchSize }
        if let polishIterations {
            if polishIterations > 0 { options.polish?.maximumIterations = polishIterations } else { options.polish = nil }
        }
        options.clustering.cutRule = cutRule
        options.clustering.gamma = gamma
        options.clustering.betaDegrees = betaDeg
        options.clustering.spanGain = spanGain > 0 ? spanGain : nil
        options.clustering.duplicateCorrelation = duplicateCorrelation > 0 ? duplicateCorrelation : nil
        options.clustering.removalLossFactor = removalLossFactor > 0 ? removalLossFactor : nil
        options.inputMask = try mask.mask { try ProbeInputs.file(fileURL(probe), limit: nil) }
        if referenceWidths == nil && teacherNetwork == nil {
            // Nothing to size the ladder by: climb further.
            options.pilot.ladder = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]
        }
        // Absolute, so that `--resume` finds them from any working directory.
        return IdentifySettings(probe: fileURL(probe).path, teacher: teacher.map { fileURL($0).path }, options: options,
                                freshInputs: freshInputs.map { FileManager.default.fileExists(atPath: $0) ? fileURL($0).path : $0 })
    }
}

extension CutRule: ExpressibleByArgument {}
