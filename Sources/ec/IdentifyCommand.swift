import ArgumentParser
import ECCore
import ECDistributed
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
            4,000 Gaussian inputs and identified on whatever device is present, output in ./ec-demo.
            """)

    @OptionGroup(title: "Data") var data: IdentifyDataFlags
    @OptionGroup(title: "Expansion") var expansion: ExpansionFlags
    @OptionGroup(title: "Clustering") var clustering: ClusteringFlags
    @OptionGroup(title: "Reconstruction (runs without polishing)") var reconstruction: ReconstructionFlags
    @OptionGroup(title: "Fine-tuning") var fineTuning: FineTuningFlags
    @OptionGroup(title: "Device") var engine: EngineOptions
    @OptionGroup(title: "Output") var output: IdentifyOutputFlags

    func validate() throws {
        if data.probe == nil && output.resume == nil && (data.activation != nil || data.teacher != nil) {
            // Without --probe, `ec identify` is the built-in demo, which would ignore them.
            throw ValidationError("--probe is required with --activation or --teacher")
        }
        if data.probe != nil && output.resume == nil {
            guard data.activation != nil else { throw ValidationError("--activation is required with --probe") }
            guard output.output != nil else { throw ValidationError("--output is required with --probe") }
        }
        // An empty --output would be the current directory.
        if let directory = output.output {
            try FlagCheck.require(!directory.isEmpty, "--output", "a directory name", got: "\"\"")
        }
    }

    /// Under mpirun every rank runs it with rank 0's settings; rank 0 prints and writes.
    func run() async throws {
        let ranks = try Ranks.world
        let printer = ProgressPrinter(quiet: !ranks.isRoot)
        let run: IdentifyRun
        if let resume = output.resume {
            run = try IdentifyRun(resuming: fileURL(resume), ranks: ranks)
        } else if let probe = data.probe, let activation = data.activation, let directory = output.output {
            let settings: IdentifySettings = try ranks.rootValue { try self.settings(probe: probe, activation: activation) }
            run = try IdentifyRun(settings: settings, directory: fileURL(directory), ranks: ranks)
        } else {
            run = try DemoSetup.prepare(directory: fileURL(output.output ?? "ec-demo"), engine: engine, printer: printer, ranks: ranks)
        }
        let outcome = try StopSignal.running(printer, continuing: ["identify", "--resume", run.directory.url.relativePath]) {
            try run.run(progress: printer.handle, stopRequested: $0)
        }
        printer.finish()
        guard ranks.isRoot else { return }
        if output.json {
            try printJSON(outcome.report)
        } else {
            print(ResultSummary(report: outcome.report, directory: run.directory.url.relativePath).text)
        }
    }

    /// The settings of a new run; `validate()` has checked the flags.
    private func settings(probe: String, activation: Activation) throws -> IdentifySettings {
        let teacherNetwork = try data.teacher.map { try Network<Double>.load(from: fileURL($0)) }
        if let teacherNetwork { try NetworkComparison.requireComparable(teacher: teacherNetwork.activation, recovered: activation) }
        let hiddenLayers = data.hiddenLayers
        let reference = expansion.referenceWidths?.values
            ?? teacherNetwork?.hiddenWidths ?? Array(repeating: ExpansionFlags.fallbackWidth, count: hiddenLayers)
        let inputs = try ProbeInputs.file(fileURL(probe), limit: nil)
        // The probe's scale chooses the recipe; each flag given then overrides its part.
        var options = IdentifyOptions.recipe(inputs: inputs.columns, samples: inputs.rows, activation: activation,
                                             hiddenLayers: hiddenLayers, referenceWidths: reference, seed: expansion.seed)
        options.backend = engine.selection
        if let precision = engine.precisionChoice { options.precision = precision }
        if let precision = expansion.adamPrecision { options.setAdamPrecision(precision) }
        if let students = expansion.students { options.students = students }
        if let rho = expansion.rho { options.rho = rho }
        if let batch = expansion.batchSize {
            for phase in [\IdentifyOptions.expansion, \.retraining, \.fineTuning, \.pilot.training] { options[keyPath: phase].batchSize = batch }
        }
        if let epochs = expansion.epochs { options.expansion.maximumEpochs = epochs }
        if let lr = expansion.lr { options.expansion.learningRate = lr }
        if let checks = expansion.clusterChecks {
            options.expansion.clusterStop = checks == 0 ? nil : options.expansion.clusterStop ?? ClusterStopRule()
            options.expansion.clusterStop?.checks = checks
        }
        options.expansion.schedule = expansion.plateau.options(epochs: options.expansion.maximumEpochs, hiddenLayers: hiddenLayers,
                                                               cosineByDefault: options.expansion.schedule.cosineEpochs != nil)
        if let epochs = fineTuning.layerFineTuneEpochs { options.retraining.maximumEpochs = epochs }
        if let epochs = fineTuning.fineTuneEpochs { options.fineTuning.maximumEpochs = epochs }
        if let lr = fineTuning.fineTuneLr { options.fineTuning.learningRate = lr }
        if let batch = fineTuning.fineTuneBatchSize { options.fineTuning.batchSize = batch }
        if let iterations = expansion.polishIterations { options.setPolishIterations(iterations) }
        options.clustering.cutRule = clustering.cutRule
        options.clustering.gamma = clustering.gamma
        options.clustering.betaDegrees = clustering.betaDeg
        options.clustering.spanGain = reconstruction.spanGain > 0 ? reconstruction.spanGain : nil
        options.clustering.duplicateCorrelation = reconstruction.duplicateCorrelation > 0 ? reconstruction.duplicateCorrelation : nil
        options.clustering.removalLossFactor = reconstruction.removalLossFactor > 0 ? reconstruction.removalLossFactor : nil
        options.inputMask = try data.mask.mask { inputs }
        if expansion.referenceWidths == nil && teacherNetwork == nil {
            // Nothing to size the ladder by: climb further.
            options.pilot.ladder = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]
        }
        // Absolute, so that `--resume` finds them from any working directory.
        return IdentifySettings(probe: fileURL(probe).path, probeFingerprint: try FileFingerprint(of: fileURL(probe)), teacher: data.teacher.map { fileURL($0).path }, options: options,
                                freshInputs: data.freshInputs.map { FileManager.default.fileExists(atPath: $0) ? fileURL($0).path : $0 })
    }
}
extension CutRule: ExpressibleByArgument {}
