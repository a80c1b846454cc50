import Foundation

/// A seedable, platform-independent random number generator (xoshiro256**, seeded through
/// SplitMix64). Every random choice in the project draws from one of these, so a run is
/// reproducible from its seed on any machine.
public struct RandomSource: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// A generator for `seed`; `stream` selects an independent sequence for the same seed, so
    /// that e.g. student initialisation and minibatch order do not share draws.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ (stream << 32 | stream >> 32)
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(&x), splitMix(&x), splitMix(&x), splitMix(&x))
    }

    /// A seed derived from a name, stable across runs and platforms (FNV-1a).
    public static func seed(named name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// Standard normal (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u = nextUnit()
        while u == 0 { u = nextUnit() }
        let radius = (-2 * Foundation.log(u)).squareRoot()
        let angle = 2 * Double.pi * nextUnit()
        spareNormal = radius * Foundation.sin(angle)
        return radius * Foundation.cos(angle)
    }

    /// A uniformly random direction on the unit sphere in `dimension` dimensions.
    public mutating func unitVector(_ dimension: Int) -> [Double] {
        while true {
            let v = (0..<dimension).map { _ in normal() }
            let norm = v.euclideanNorm
            if norm > 1e-12 { return v.map { $0 / norm } }
        }
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int32] {
        var p = (0..<Int32(count)).map { $0 }
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(next() % UInt64(i + 1))
                p.swapAt(i, j)
            }
        }
        return p
    }
}
