import ArgumentParser
import ECCore
import ECDistributed
import ECEngine
import ExpandCluster
import Foundation

struct SuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "The toy suite: 150 teachers of graded difficulty, identification rate by expansion factor.",
        subcommands: [List.self, Run.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the suite's problems.")
        @Option(help: "Name patterns with * or index ranges, comma-separated (e.g. \"tanh-*,0-9\").") var problems: String?
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let selected = try ToySuite.select(problems)
            if json { try printJSON(selected.map { ["name": $0.name, "activation": $0.activation.rawValue,
                                                    "inputs": String($0.inputs), "hidden": String($0.hidden),
                                                    "seed": String($0.seed), "grade": String($0.grade)] }); return }
            for problem in selected {
                let index = ToySuite.problems.firstIndex(of: problem)!
                print(String(format: "%3d  %-22@ d=%d r=%-2d grade %d", index, problem.name, problem.inputs, problem.hidden, problem.grade))
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Identify each problem at each ρ; resumable (rerun the same command to continue).")
        @Option(parsing: .unconditional, help: "Expansion factors, comma-separated.") var rho = "1,2,4"
        @Option(help: "Name patterns with * or index ranges, comma-separated.") var problems: String?
        @Option(parsing: .unconditional, help: "Students per problem.") var students = 20
        @Option(parsing: .unconditional, help: "Gaussian probe inputs per problem.") var samples = 4000
        @Option(parsing: .unconditional, help: "Epoch cap of each expansion.") var epochs = 3000
        @Option(parsing: .unconditional, help: "Adam learning rate of each expansion (default: identify's).") var lr: Double?
        @Option(help: "Precision of Adam's steps in each expansion (default: identify's).") var adamPrecision: Precision?
        @OptionGroup var engine: EngineOptions
        @Option(help: "Suite directory (results.jsonl, summary.md, one run directory per problem).") var output: String

        /// The expansion factors of --rho.
        var rhos: [Double] {
            get throws {
                try rho.split(separator: ",").map { part -> Double in
                    guard let value = Double(part.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else {
                        throw ValidationError("--rho: '\(part)' is not a positive number")
                    }
                    return value
                }
            }
        }

        // Checked before the suite directory is made, whose settings.json a later run must match.
        func validate() throws {
            guard try !rhos.isEmpty else { throw ValidationError("--rho: give at least one expansion factor") }
            try FlagCheck.require(students >= 2, "--students", "at least 2", got: students)
            try FlagCheck.positive(samples, "--samples")
            try FlagCheck.positive(epochs, "--epochs")
            if let lr { try FlagCheck.positiveFinite(lr, "--lr") }
        }

        /// Under mpirun the ranks share the problems; rank 0 writes the results and prints.
        func run() async throws {
            let rhos = try rhos
            let selected = try ToySuite.select(problems)
            let ranks = try Ranks.world
            let runner = try SuiteRunner(directory: fileURL(output), settings: SuiteSettings(
                students: students, samples: samples, epochs: epochs, learningRate: lr, precision: engine.precision,
                adamPrecision: adamPrecision, backend: engine.selection),
                                         ranks: ranks)
            let printer = ProgressPrinter(quiet: !ranks.isRoot)
            // Continued by the same command.
            let summary = try StopSignal.running(printer, continuing: Array(CommandLine.arguments.dropFirst())) { stop in
                try runner.run(problems: selected, rhos: rhos, progress: printer.handle, stopRequested: stop) { result in
                    printer.handle(.note(String(format: "%@ ρ=%@: %@ (%d neurons, worst angle %.3g°, MSE/Var(y) %.2g, %.0f s)",
                                                result.problem, SuiteSummary.key(result.rho), result.identified ? "identified" : "not identified",
                                                result.recoveredWidth, result.worstIncomingDegrees, result.relativeMSE, result.seconds)))
                }
            }
            printer.finish()
            let placement = try RankReport.gather(ranks, device: engine.selection.kind.rawValue)
            guard ranks.isRoot else { return }
            print(summary.markdown)
            if let placement { print("\n" + placement.summary) }
            print("\npictures: \(output)/success-by-rho.svg, \(output)/worst-angles.svg")
        }
    }
}
