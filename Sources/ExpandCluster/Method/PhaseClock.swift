import ECCore

/// Seconds per phase (by `PhaseID.name`) and in total ("total"). A phase that runs inside
/// another (a fine-tuning inside pruning) is counted to itself only, so the phases' sum never
/// exceeds the total. With a store, the sums cover every process that worked on the run: as each
/// phase ends, even by throwing (a stop), its time and the total so far are saved together, so a
/// process killed outright loses only the stretch since its last phase ended.
final class PhaseClock {
    static let total = "total"

    private let store: IdentificationStore?
    private var unsaved = Stopwatch()
    /// The phases running now, innermost last, each with the time since it was last counted.
    private var running = [(name: String, watch: Stopwatch)]()
    private(set) var seconds: [String: Double]

    init(store: IdentificationStore?) throws {
        self.store = store
        seconds = try store?.spentSeconds() ?? [:]
    }

    func time<R>(_ phase: PhaseID, _ body: () throws -> R) throws -> R {
        if let outer = running.indices.last { try add([running[outer].name: running[outer].watch.lap()]) }
        running.append((phase.name, Stopwatch()))
        let outcome = Result(catching: body)
        let finished = running.removeLast()
        let recorded = Result { try add([finished.name: finished.watch.seconds]) }
        if let outer = running.indices.last { _ = running[outer].watch.lap() }   // the inner phase's time is not the outer's
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
