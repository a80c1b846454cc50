import ExpandCluster
import Foundation

/// Renders progress on stderr: redrawn in place on a terminal (at most 10 times a second), one
/// line every `interval` seconds otherwise (logs, CI). Results go to stdout, never here. Events
/// may come from several threads (a suite's results under MPI arrive on rank 0's desk thread).
final class ProgressPrinter: @unchecked Sendable {
    private let terminal = isatty(STDERR_FILENO) != 0
    private let interval: TimeInterval
    private var lastDraw = Date.distantPast
    /// The phase's first reported epoch and when it came: the rate counts from there, since the
    /// time before it is set-up (kernel builds, a checkpoint's load), not epochs.
    private var firstEpoch: (epoch: Int, time: Date)?
    private var lineOpen = false
    private let quiet: Bool
    private let lock = NSLock()

    init(quiet: Bool = false, interval: TimeInterval = 10) {
        self.quiet = quiet
        self.interval = interval
    }

    func handle(_ event: ProgressEvent) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .phase(let id):
            firstEpoch = nil
            lastDraw = .distantPast
            emit("[\(id.title)]", permanent: true)
        case .note(let text):
            emit(text, permanent: true)
        case .epoch(let p):
            let now = Date()
            let first = firstEpoch ?? (p.epoch, now)
            firstEpoch = first
            let due = now.timeIntervalSince(lastDraw) >= (terminal ? 0.1 : interval)
            guard due || p.epoch == p.maximumEpochs else { return }
            lastDraw = now
            let rate = p.epoch > first.epoch ? Double(p.epoch - first.epoch) / max(now.timeIntervalSince(first.time), 1e-9)
                                             : 1 / max(p.secondsPerEpoch, 1e-9)
            let remaining = Double(p.maximumEpochs - p.epoch) / max(rate, 1e-9)
            let line = String(format: "%@ epoch %d/%d  best %.3e  median %.3e  lr %.1e  %d active  %.1f epochs/s  ETA ≤ %@",
                              p.phase.title, p.epoch, p.maximumEpochs, p.bestLoss, p.medianLoss, p.learningRate,
                              p.activeStudents, rate, Self.duration(remaining))
            emit(line, permanent: !terminal)
        }
    }

    /// Ends an in-place line so that what follows starts on a fresh one.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)) }
        lineOpen = false
    }

    private func emit(_ text: String, permanent: Bool) {
        var out = ""
        if terminal && lineOpen { out += "\r\u{1B}[K" }
        out += text
        if permanent || !terminal { out += "\n"; lineOpen = false } else { lineOpen = true }
        FileHandle.standardError.write(Data(out.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
