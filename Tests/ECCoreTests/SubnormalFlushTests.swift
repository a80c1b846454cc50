import ECCore
import Testing

/// `withSubnormalsFlushed` against IEEE arithmetic: inside it a result below the smallest normal
/// number is zero and so is a subnormal operand; outside it, and after it, both are as IEEE says.
struct SubnormalFlushTests {
    /// Values the optimiser cannot fold into constants.
    @inline(never) static func opaque<T>(_ x: T) -> T { x }

    @inline(never) static func half<T: FloatingPoint>(_ x: T) -> T { x / 2 }

    @inline(never) static func timesOne<T: FloatingPoint>(_ x: T) -> T { x * opaque(1) }

    static func check<T: FloatingPoint>(_: T.Type) {
        let smallest = opaque(T.leastNormalMagnitude), subnormal = opaque(T.leastNormalMagnitude / 4)
        #expect(half(smallest) == smallest / 2 && half(smallest).isSubnormal)
        #expect(withSubnormalsFlushed { half(smallest) } == 0)
        #expect(withSubnormalsFlushed { timesOne(subnormal) } == 0)
        #expect(withSubnormalsFlushed { half(smallest * 4) } == smallest * 2)   // normal numbers as before
        #expect(timesOne(subnormal) == subnormal && subnormal.isSubnormal)     // the mode is given back
    }

    @Test func float32() { Self.check(Float.self) }

    @Test func float64() { Self.check(Double.self) }

    @Test func nestedCallsKeepTheFlushUntilTheOuterEnds() {
        let smallest = Self.opaque(Float.leastNormalMagnitude)
        let inner = withSubnormalsFlushed { () -> (Float, Float) in
            let nested = withSubnormalsFlushed { Self.half(smallest) }
            return (nested, Self.half(smallest))
        }
        #expect(inner == (0, 0))
        #expect(Self.half(smallest) > 0)
    }
}
