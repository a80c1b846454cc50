import ArgumentParser
import ECCore
import ECFormats
import Foundation

struct TeacherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teacher", abstract: "Make a teacher network.", subcommands: [Toy.self, Train.self])

    struct Toy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A random toy teacher: unit directions × norms from U[1.5, 2.5], biases from U[−‖w‖, ‖w‖].")

        @Option(parsing: .unconditional, help: "Input dimension d.") var inputs: Int
        @Option(help: "Hidden widths, e.g. 8 or 30,30,30.") var widths: Widths
        @Option(parsing: .unconditional, help: "Output dimension.") var outputs = 1
        @Option(help: "Hidden activation.") var activation: Activation
        @Option(help: "Random seed.") var seed: UInt64 = 0
        @Option(help: "Network file to write (safetensors).") var output: String
        @Flag(help: "Print a JSON summary.") var json = false

        func validate() throws {
            try FlagCheck.positive(inputs, "--inputs")
            try widths.validate("--widths")
            try FlagCheck.positive(outputs, "--outputs")
        }

        func run() async throws {
            let teacher = try Network.toyTeacher(inputs: inputs, hiddenWidths: widths.values,
                                                 outputs: outputs, activation: activation, seed: seed)
            try teacher.save(to: fileURL(output), metadata: ["generator": "ec teacher toy", "seed": String(seed)])
            if json {
                try printJSON(["output": output, "widths": teacher.widths.map(String.init).joined(separator: "-"),
                               "activation": activation.rawValue])
            } else {
                print("wrote \(output): \(teacher.widths.map(String.init).joined(separator: "-")) \(activation.rawValue) teacher (seed \(seed))")
            }
        }
    }
}
