import ArgumentParser

@main
struct EC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ec",
        abstract: "Expand-and-Cluster: recover a neural network's hidden parameters from its input-output data.",
        subcommands: [BenchCommand.self])
}
