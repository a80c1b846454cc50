import ECCore
import Foundation
import Testing

struct StopwatchTests {
    /// A 50 ms sleep reads as at least 50 ms (and not seconds: the attosecond part is scaled
    /// right), and a lap starts the count over.
    @Test func measuresASleepAndStartsOverOnALap() {
        var watch = Stopwatch()
        Thread.sleep(forTimeInterval: 0.05)
        let first = watch.lap()
        #expect(first >= 0.05 && first < 2, "\(first) s")
        #expect(watch.seconds < first)
        Thread.sleep(forTimeInterval: 0.02)
        #expect(watch.seconds >= 0.02 && watch.seconds < first + 2)
    }
}
