import ArgumentParser
import ECCore
import Foundation

@main
struct EC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ec",
        abstract: "Expand-and-Cluster: recover a neural network's hidden parameters from its input-output data.",
        subcommands: [TeacherCommand.self, ProbeCommand.self, TrainCommand.self, IdentifyCommand.self,
                      CompareCommand.self, BenchCommand.self, SuiteCommand.self])

    /// Runs the command; every error becomes one line on stderr: user errors (bad files, flags,
    /// data) exit 1, usage errors 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as ECError {
            fail(String(describing: error), code: 1)
        } catch let error as CocoaError {
            fail(error.localizedDescription, code: 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == ExitCode(0) { Foundation.exit(0) }
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            let message = fullMessage(for: error)
            if code == .failure, message.isEmpty { Foundation.exit(1) }
            // Help and version requests print to stdout and succeed.
            if code.rawValue == 0 { print(message); Foundation.exit(0) }
            fail(message.isEmpty ? String(describing: error) : message, code: code.rawValue)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        let firstLine = message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? message
        let rest = message.contains("\n") ? String(message.drop(while: { $0 != "\n" })) : ""
        FileHandle.standardError.write(Data(("ec: " + firstLine + rest + "\n").utf8))
        Foundation.exit(code)
    }
}
