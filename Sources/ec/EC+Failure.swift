import ArgumentParser
import ECCore
import ECDistributed
import Foundation

/// How the command line ends on an error. Scripts rely on three things: the exit status (1 for a
/// user error — a file, its data, a device, or a value that only a file or device shows to be
/// wrong; 2 for a usage error — an unknown flag, a missing one, or a value wrong by itself), one
/// line on stderr starting with "ec: ", and nothing else on stderr from the failure.
extension EC {
    /// Ends the process for an error that reached `main`. Help and version requests arrive here
    /// too, as ArgumentParser's clean exits: they print on stdout and succeed.
    static func exit(reporting error: Error) -> Never {
        switch error {
        case let error as ECError:
            fail(error.description, status: 1)
        case let error as DistributedError:
            fail(error.description, status: 1)
        case let error as CocoaError:
            // Foundation's file errors; their `description` dumps the userInfo dictionary.
            fail(error.localizedDescription, status: 1)
        default:
            let code = exitCode(for: error)
            if code.isSuccess {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let text = message(for: error)
            if code == .validationFailure { fail(text, status: 2) }
            // A command that throws an ExitCode has said all it wants to.
            if text.isEmpty { Foundation.exit(code.rawValue) }
            fail(text, status: 1)
        }
    }

    /// Longer messages are cut here: they echo what a hostile file claims (a shape, a header),
    /// and the start of the line already names the file and the problem.
    static let maximumMessageLength = 1_000

    /// Prints `message` as one line, "ec: ..." on stderr, and exits with `status`. Under mpirun
    /// an error on one rank ends the whole job (the others would wait for it forever), its line
    /// naming the rank; an end that every rank `agreed` on (a stop) is printed by rank 0 alone
    /// and ends MPI normally.
    static func fail(_ message: String, status: Int32, agreed: Bool = false) -> Never {
        var line = oneLine(message)
        if line.count > maximumMessageLength { line = line.prefix(maximumMessageLength) + " …" }
        guard Ranks.isRunning, let ranks = try? Ranks.world, ranks.size > 1 else {
            FileHandle.standardError.write(Data(("ec: " + line + "\n").utf8))
            Foundation.exit(status)
        }
        if agreed {
            if ranks.isRoot { FileHandle.standardError.write(Data(("ec: " + line + "\n").utf8)) }
            Ranks.finish()
            Foundation.exit(status)
        }
        FileHandle.standardError.write(Data(("ec: \(ranks.name): " + line + "\n").utf8))
        Ranks.abortJob(status: status)
    }

    /// `message` on one line. ArgumentParser lists the accepted values of a flag one per line
    /// ("  - relu"); they become a comma-separated list. Any other line break becomes "; ".
    static func oneLine(_ message: String) -> String {
        var line = ""
        for part in message.split(whereSeparator: \.isNewline) {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text.hasPrefix("- ") {
                line += (line.hasSuffix(":") ? " " : ", ") + text.dropFirst(2)
            } else {
                line += (line.isEmpty ? "" : "; ") + text
            }
        }
        return line
    }
}
