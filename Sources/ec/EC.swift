import ArgumentParser
import ECCore
import ECDistributed
import Foundation

@main
struct EC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ec",
        abstract: "Expand-and-Cluster: recover a neural network's hidden parameters from its input-output data.",
        subcommands: [TeacherCommand.self, ProbeCommand.self, TrainCommand.self, IdentifyCommand.self,
                      CompareCommand.self, BenchCommand.self, SuiteCommand.self, DevicesCommand.self])

    /// Runs the command; help and version requests print to stdout, every failure is one line on
    /// stderr (see `exit(reporting:)`). Under mpirun every rank runs the command and MPI is
    /// ended once all have finished.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            Ranks.finish()
        } catch {
            exit(reporting: error)
        }
    }
}
