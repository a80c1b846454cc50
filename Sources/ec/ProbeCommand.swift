import ArgumentParser
import ECCore
import ECFormats
import ExpandCluster
import Foundation

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Query a teacher on a fixed set of inputs and save the probe set (x, y) as .npz.")

    @Option(help: "Teacher network file (safetensors).") var teacher: String
    @Option(help: "The teacher's activation, if its file does not name one (must agree if it does).")
    var activation: Activation?
    @Option(parsing: .unconditional, help: "Number of inputs (Gaussian N(0, I); with --inputs-from, the first N rows).")
    var samples: Int?
    @Option(help: "Random seed for Gaussian inputs.") var seed: UInt64 = 0
    @Option(help: "Take inputs from a data set's training images (fashion-mnist) or a file: a .npy/.npz array or IDX images (8-bit pixels normalised).")
    var inputsFrom: String?
    @OptionGroup var pixels: PixelOptions
    @Option(help: "Storage precision of the probe file.") var precision: Precision = .float64
    @Flag(help: "Deflate the .npz entries.") var compressed = false
    @Option(help: "Probe file to write (.npz).") var output: String
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        if let samples { try FlagCheck.positive(samples, "--samples") }
    }

    func run() async throws {
        try requireWritableLocation(fileURL(output))
        try requireDistinct(output: fileURL(output), flag: "--output", from: [fileURL(teacher)] + (inputsFrom.map { [fileURL($0)] } ?? []))
        let network = try Network<Double>.load(from: fileURL(teacher))
        if let activation, activation != network.activation {
            throw ECError.invalidArgument("--activation \(activation.rawValue) conflicts with \(teacher), whose metadata says \(network.activation.rawValue)")
        }
        let inputs: Matrix<Double>
        if let inputsFrom {
            inputs = try ProbeInputs.named(inputsFrom, limit: samples, pixels: pixels.normalization)
            guard inputs.columns == network.inputCount else {
                throw ECError.shapeMismatch("\(inputsFrom) has \(inputs.columns) values per sample but \(teacher) takes \(network.inputCount) inputs")
            }
        } else {
            let count = samples ?? 20_000
            // Held at once: the inputs, the widest layer's activations twice (the forward pass),
            // the targets, and the archive (each array encoded, then the whole file).
            let (d, o, w) = (network.inputCount, network.outputCount, network.hiddenWidths.max() ?? 0)
            try MemoryBudget.require([[count, d], [count, w], [count, w], [count, o], [count, d + o], [count, d + o]],
                                     bytesEach: MemoryLayout<Double>.size, for: "--samples \(count) with \(d) inputs")
            inputs = try ProbeInputs.gaussian(count: count, dimension: d, seed: seed)
        }
        let targets = network(inputs)
        if let bad = targets.firstNonFiniteIndex {
            throw ECError.nonFiniteData("\(teacher) gives \(targets.scalars[bad]) on sample \(bad / targets.columns)")
        }
        switch precision {
        case .float64: try ProbeSet(inputs: inputs, targets: targets).save(to: fileURL(output), compressed: compressed)
        case .float32:
            try ProbeSet<Float>(inputs: inputs.converted(), targets: targets.converted()).save(to: fileURL(output), compressed: compressed)
        }
        if json {
            try printJSON(ProbeSummary(output: output, samples: inputs.rows, inputs: inputs.columns,
                                       outputs: targets.columns, targetVariance: targets.pooledVariance))
        } else {
            print("wrote \(output): \(inputs.rows) samples, x [\(inputs.rows), \(inputs.columns)], y [\(targets.rows), \(targets.columns)], Var(y) = \(String(format: "%.4g", targets.pooledVariance))")
        }
    }

    struct ProbeSummary: Encodable {
        let output: String, samples: Int, inputs: Int, outputs: Int, targetVariance: Double
    }
}
