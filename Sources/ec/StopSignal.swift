import ExpandCluster
import Foundation
import Synchronization

/// SIGINT (Ctrl-C) and SIGTERM (`timeout`, a batch system's time limit) during a resumable run:
/// the first asks the run to stop after the epoch in progress, with that epoch checkpointed, so
/// that continuing it repeats nothing (a kill loses the work since the last checkpoint, up to a
/// minute); a second ends the process at once, e.g. in a phase that has no epochs.
enum StopSignal {
    /// The first signal received; 0 before any. Atomic, since a signal handler writes it.
    private static let received = Atomic<Int32>(0)

    static func install() {
        _ = received.load(ordering: .relaxed)   // initialised here, never first in a handler
        for number in [SIGINT, SIGTERM] {
            // Only async-signal-safe work in the handler: an atomic, write(2), signal(2), raise(3).
            signal(number) { number in
                if StopSignal.received.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
                    let note: StaticString = "\nec: stopping after the epoch in progress, checkpointed (signal again to quit at once)\n"
                    _ = write(STDERR_FILENO, note.utf8Start, note.utf8CodeUnitCount)
                } else {
                    signal(number, SIG_DFL)
                    raise(number)
                }
            }
        }
    }

    /// Whether a signal has asked the run to stop.
    static let requested: StopRequest = { received.load(ordering: .relaxed) != 0 }

    /// Ends the process after a run stopped on a signal: one line that says where it stopped and
    /// how to continue, and the status a shell gives for that signal (128 + its number).
    static func exit(_ stop: RunStopped, continuing command: String) -> Never {
        let number = received.load(ordering: .relaxed)
        let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
        EC.fail("stopped by \(name) after epoch \(stop.epoch) of \(stop.phase); `\(command)` continues from its last checkpoint",
                status: 128 + number)
    }
}
