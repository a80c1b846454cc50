import ECCore

/// Seconds per phase and in total ("total"). With a store, the sums cover every process that
/// worked on the run: as each phase ends, even by throwing (a stop), its time and the total so
/// far are saved together, so that a process killed outright loses only the stretch since its
/// last phase ended, from both, and the total never falls below the phases' sum.
final class PhaseClock {
    static let total = "total"

    private let store: IdentificationStore?
    private var unsaved = Stopwatch()
    private(set) var seconds: [String: Double]

    init(store: IdentificationStore?) throws {
        self.store = store
        seconds = try store?.spentSeconds() ?? [:]
    }

    func time<R>(_ phase: String, _ body: () throws -> R) throws -> R {
        let watch = Stopwatch()
        let outcome = Result(catching: body)
        let recorded = Result { try add([phase: watch.seconds]) }
        let value = try outcome.get()   // the phase's own error comes first
        try recorded.get()
        return value
    }

    /// Adds the time since the last phase ended to the total: at the end of a run, or when it
    /// fails between phases.
    func finish() throws {
        try add([:])
    }

    private func add(_ phases: [String: Double]) throws {
        let increments = phases.merging([Self.total: unsaved.lap()], uniquingKeysWith: +)
        if let store {
            seconds = try store.addSpentSeconds(increments)
        } else {
            seconds.merge(increments, uniquingKeysWith: +)
        }
    }
}
