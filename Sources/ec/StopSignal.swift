import ExpandCluster
import Foundation
import Synchronization

/// SIGINT (Ctrl-C) and SIGTERM (`timeout`, a batch system's time limit) during a resumable run:
/// the first asks the run to stop after the training epoch in progress, with that epoch
/// checkpointed, or before the next phase, so that continuing it repeats nothing (a kill loses
/// the work since the last checkpoint, up to a minute; a pilot run keeps none and starts over);
/// a second ends the process at once, e.g. during a long polish.
enum StopSignal {
    /// The first signal received; 0 before any. Atomic, since a signal handler writes it.
    private static let received = Atomic<Int32>(0)

    /// Runs `body` with the handlers installed, handing it the stop request to pass to the run;
    /// a run that stops ends the process (see `exit`) once `printer` has closed its line, so that
    /// a command has only its result left to print.
    static func running<R>(_ printer: ProgressPrinter, continuing arguments: [String],
                           _ body: (@escaping StopRequest) throws -> R) throws -> R {
        install()
        do {
            return try body(requested)
        } catch let stop as RunStopped {
            printer.finish()
            exit(stop, continuing: arguments)
        }
    }

    private static func install() {
        _ = received.load(ordering: .relaxed)   // initialised here, never first in a handler
        for number in [SIGINT, SIGTERM] {
            // Only async-signal-safe work in the handler: an atomic, write(2), signal(2), raise(3).
            signal(number) { number in
                if StopSignal.received.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
                    let note: StaticString = "\nec: stopping at the end of this epoch or phase, with a checkpoint (signal again to quit at once)\n"
                    _ = write(STDERR_FILENO, note.utf8Start, note.utf8CodeUnitCount)
                } else {
                    signal(number, SIG_DFL)
                    raise(number)
                }
            }
        }
    }

    /// Whether a signal has asked the run to stop.
    private static let requested: StopRequest = { received.load(ordering: .relaxed) != 0 }

    /// Ends the process after a run stopped on a signal: one line that says where it stopped and
    /// the command (`arguments` after "ec", quoted for a shell) that continues it, and the status
    /// a shell gives for that signal (128 + its number).
    private static func exit(_ stop: RunStopped, continuing arguments: [String]) -> Never {
        let number = received.load(ordering: .relaxed)
        let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
        let command = (["ec"] + arguments.map(shellQuoted)).joined(separator: " ")
        EC.fail("stopped by \(name) \(stop.position); `\(command)` continues from its last checkpoint", status: 128 + number,
                agreed: true)
    }

    /// `word` as a shell reads it back: as it is when it has only safe characters, else in single quotes.
    private static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0)) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
