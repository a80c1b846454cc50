import ArgumentParser
import ECCore
import ECDistributed
import ECEngine
import ECFormats
import ExpandCluster
import Foundation

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a bank of students on a probe set (the expansion step alone).")

    @Option(help: "Probe file (.npz with x [n, d] and y [n, outputs]).") var probe: String
    @Option(help: "Hidden activation of the students.") var activation: Activation
    @Option(help: "Hidden widths of each student, e.g. 32 or 90,90,90.") var widths: Widths
    @Option(parsing: .unconditional, help: "Number of students N.") var students = 20
    @Option(parsing: .unconditional, help: "Epoch cap.") var epochs = 25_000
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr = 1e-3
    @Option(parsing: .unconditional, help: "Minibatch size.") var batchSize = 512
    @OptionGroup var plateau: PlateauOptions
    @Option(help: "Random seed (initialisation and minibatch order).") var seed: UInt64 = 0
    @OptionGroup var engine: EngineOptions
    @Option(help: "Student bank file to write (safetensors); the epoch log goes beside it (.log.jsonl).")
    var output: String
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    func validate() throws {
        try widths.validate("--widths")
        try FlagCheck.positive(students, "--students")
        try FlagCheck.positive(epochs, "--epochs")
        try FlagCheck.positiveFinite(lr, "--lr")
        try FlagCheck.positive(batchSize, "--batch-size")
    }

    /// Under mpirun the ranks share the students; rank 0 writes the bank and the log and prints.
    func run() async throws {
        let ranks = try Ranks.world
        let outputURL = fileURL(output)
        let logURL = outputURL.deletingPathExtension().appendingPathExtension("log.jsonl")
        try requireWritableLocation(outputURL)
        try requireWritableLocation(logURL)
        try requireDistinct(output: outputURL, flag: "--output", from: [fileURL(probe)])
        try requireDistinct(output: logURL, flag: "the epoch log of --output", from: [fileURL(probe)])
        let probeSet = try ProbeSet<Double>.load(from: fileURL(probe))
        let job = TrainStudents(
            activation: activation, hiddenWidths: widths.values, students: students,
            precision: engine.precision, backend: engine.selection, batchSize: batchSize,
            training: TrainingOptions(learningRate: lr, maximumEpochs: epochs,
                                      plateau: plateau.options(epochs: epochs, hiddenLayers: widths.values.count), seed: seed))
        // The log is written beside and moved over the old one only with the new bank, so that a
        // failed run leaves the previous bank and its log as they were.
        let partialLog = logURL.deletingLastPathComponent().appendingPathComponent(".\(logURL.lastPathComponent).\(getpid()).tmp")
        defer { try? FileManager.default.removeItem(at: partialLog) }
        let printer = ProgressPrinter(quiet: !ranks.isRoot)
        let result = try job.run(inputs: probeSet.inputs, targets: probeSet.targets,
                                 log: ranks.isRoot ? EpochLogFile(url: partialLog) : nil, ranks: ranks, progress: printer.handle)
        printer.finish()
        let placement = try RankReport.gather(ranks, device: result.device)
        guard ranks.isRoot else { return }
        let device = ranks.size > 1 ? "\(ranks.size) MPI ranks, rank 0 on \(result.device)" : result.device
        try result.bank.safetensors(losses: result.losses, metadata: ["device": device, "probe": probe],
                                    precision: engine.precision).write(to: outputURL)
        guard rename(partialLog.path, logURL.path) == 0 else {
            throw ECError.invalidFile(path: logURL.relativePath, problem: "cannot be written (\(String(cString: strerror(errno)))); "
                                      + "the students are in \(output)")
        }
        let sorted = result.relativeLosses.sorted()
        if json {
            try printJSON(Summary(output: output, log: logURL.relativePath, device: device, epochs: result.epochs,
                                  seconds: result.seconds, losses: result.losses, relativeLosses: result.relativeLosses,
                                  ranks: placement))
        } else {
            print("wrote \(output) and \(logURL.relativePath): \(students) students of widths \(result.bank.widths.map(String.init).joined(separator: "-")), \(result.epochs) epochs in \(String(format: "%.1f", result.seconds)) s on \(device)")
            print(String(format: "MSE / Var(y): best %.3e, median %.3e, worst %.3e", sorted.first!, sorted[sorted.count / 2], sorted.last!))
        }
    }

    struct Summary: Encodable {
        let output: String, log: String, device: String, epochs: Int, seconds: Double
        let losses: [Double], relativeLosses: [Double]
        /// Where the ranks of an MPI job ran and what they exchanged; absent for one process.
        let ranks: RankReport?
    }
}
