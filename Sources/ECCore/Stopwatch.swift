/// Elapsed seconds on the monotonic clock. Durations that are logged and summed across resumed
/// processes must not jump when the wall clock is stepped (NTP on a freshly started machine).
public struct Stopwatch: Sendable {
    private var start = ContinuousClock.now

    public init() {}

    public var seconds: Double { Self.seconds(ContinuousClock.now - start) }

    /// The seconds so far, starting over from now.
    public mutating func lap() -> Double {
        let now = ContinuousClock.now
        defer { start = now }
        return Self.seconds(now - start)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
