import ArgumentParser
import ECCore
import ECFormats
import ExpandCluster
import Foundation

extension TeacherCommand {
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a classifier teacher on an image data set (cross-entropy, plain SGD at a fixed rate).",
            discussion: """
                The paper's MNIST teachers: e.g. `ec teacher train --dataset fashion-mnist --widths 64 --activation g \
                --epochs 40 --output teacher.safetensors`. Progress goes to stderr, one line per epoch.
                """)

        @OptionGroup var data: DatasetOptions
        @Option(help: "Hidden widths, e.g. 64 or 30,30,30 (the output layer has one unit per class).") var widths: Widths
        @Option(help: "Hidden activation.") var activation: Activation
        @Option(parsing: .unconditional, help: "Number of epochs (at a fixed learning rate).") var epochs = 40
        @Option(parsing: .unconditional, help: "SGD learning rate.") var lr = 0.1
        @Option(parsing: .unconditional, help: "Minibatch size.") var batchSize = 128
        @Option(help: "Random seed (initialisation and minibatch order).") var seed: UInt64 = 0
        @Option(parsing: .unconditional, help: "Train on the first N training images only.") var trainSamples: Int?
        @OptionGroup var engine: EngineOptions
        @Option(help: "Network file to write (safetensors).") var output: String
        @Flag(help: "Print a JSON summary on stdout.") var json = false

        func validate() throws {
            try widths.validate("--widths")
            try FlagCheck.positive(epochs, "--epochs")
            try FlagCheck.positiveFinite(lr, "--lr")
            try FlagCheck.positive(batchSize, "--batch-size")
            if let trainSamples { try FlagCheck.positive(trainSamples, "--train-samples") }
        }

        func run() async throws {
            let training = TeacherTraining(
                hiddenWidths: widths.values, activation: activation, epochs: epochs, learningRate: lr,
                batchSize: batchSize, seed: seed, trainSamples: trainSamples,
                precision: engine.precision(default: .float32), backend: engine.selection)
            try training.validate()
            let source = try data.source()
            let files = [source.train.images, source.train.labels] + (source.test.map { [$0.images, $0.labels] } ?? [])
            try requireDistinct(output: fileURL(output), flag: "--output", from: files)
            let printer = ProgressPrinter()
            printer.handle(.note("[training a \(training.precision.rawValue) teacher on \(source.name)]"))
            let result = try training.run(source: source, pixels: data.pixels) { epoch in
                let accuracy = epoch.testAccuracy.map { String(format: "  test accuracy %.2f%%", 100 * $0) } ?? ""
                printer.handle(.note(String(format: "epoch %d/%d  loss %.4f%@  %.1f s",
                                            epoch.epoch, epoch.epochs, epoch.loss, accuracy, epoch.seconds)))
            }
            printer.finish()
            try result.network.save(to: fileURL(output), metadata: result.metadata(training), precision: result.precision)
            let widthsText = result.network.widths.map(String.init).joined(separator: "-")
            if json {
                try printJSON(Summary(output: output, dataset: result.dataset, widths: widthsText, activation: activation.rawValue,
                                      epochs: result.log.count, trainSamples: result.trainSamples, testSamples: result.testSamples,
                                      trainLoss: result.trainLoss, trainAccuracy: result.trainAccuracy,
                                      testAccuracy: result.testAccuracy, seconds: result.seconds,
                                      secondsPerEpoch: result.log.map { $0.seconds }.reduce(0, +) / Double(result.log.count),
                                      device: result.device))
            } else {
                print("wrote \(output): \(widthsText) \(activation.rawValue) teacher, \(result.log.count) epochs on \(result.trainSamples) images of \(result.dataset) in \(String(format: "%.1f", result.seconds)) s on \(result.device)")
                let test = result.testAccuracy.map { String(format: ", test accuracy %.2f%% (%d images)", 100 * $0, result.testSamples) } ?? ""
                // The epoch losses above are means over each epoch's minibatches as the parameters moved;
                // this one is of the parameters written, so a last step that spoiled them shows.
                print(String(format: "train loss %.4f, train accuracy %.2f%%%@", result.trainLoss, 100 * result.trainAccuracy, test))
            }
        }

        struct Summary: Encodable {
            let output: String, dataset: String, widths: String, activation: String, epochs: Int
            let trainSamples: Int, testSamples: Int, trainLoss: Double, trainAccuracy: Double, testAccuracy: Double?
            let seconds: Double, secondsPerEpoch: Double, device: String
        }
    }
}
