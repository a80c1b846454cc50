import Foundation

/// The floating-point types the engine computes in: `Float` and `Double`.
///
/// The elementary functions here are branch-free polynomial evaluations rather than calls into
/// libm, because LLVM can vectorise a loop over them and cannot vectorise a loop that calls
/// `exp`. They are accurate to a few ulp over the whole range (tested against libm), which is what
/// "exact" means for a float reference.
public protocol Real: BinaryFloatingPoint, SIMDScalar, Sendable, Codable, BitwiseCopyable
where RawSignificand: FixedWidthInteger {
    /// The precision tag matching this type.
    static var precision: Precision { get }
    /// e^x, saturating to 0 and +∞ outside the representable range.
    static func exp(_ x: Self) -> Self
    /// e^x − 1, accurate near 0.
    static func expm1(_ x: Self) -> Self
    /// Natural logarithm of a positive finite number.
    static func log(_ x: Self) -> Self
    /// The error function (libm; only GELU needs it).
    static func erf(_ x: Self) -> Self
    /// Narrowing or widening conversion from Double.
    init(_ value: Double)
}

extension Real {
    /// log(1 + x) for x > −1, accurate near 0: log(u)·x/(u−1) with u = 1 + x cancels the rounding
    /// error committed in forming u (Goldberg's trick).
    @inlinable @inline(__always)
    public static func log1p(_ x: Self) -> Self {
        let u = 1 + x
        let d = u - 1
        let corrected = log(u) * (x / d)
        return d == 0 ? x : corrected
    }

    /// tanh from expm1, accurate near 0 and saturating cleanly for large |x|.
    @inlinable @inline(__always)
    public static func tanh(_ x: Self) -> Self {
        let e = expm1(-2 * Swift.abs(x))   // in (−1, 0]
        let t = -e / (e + 2)
        let negative = -t
        return x < 0 ? negative : t
    }

    /// The logistic function, evaluated so that neither branch overflows.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Self) -> Self {
        let e = exp(-Swift.abs(x))
        let s = 1 / (1 + e)
        let es = e * s
        return x >= 0 ? s : es
    }
}

extension Float: Real {
    public static var precision: Precision { .float32 }

    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        // Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, then a degree-7 minimax polynomial
        // (Cephes expf). n is rounded with the 1.5·2^23 shifter so that no int conversion is needed.
        let xc = Swift.min(Swift.max(x, -87.33654), 88.72283)
        let shifter: Float = 12_582_912
        let t = xc * 1.442_695_04 + shifter
        let n = t - shifter
        let r = (xc - n * 0.693_359_375) + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        p = p * r * r + r + 1
        // 2^n, built in two halves so that n = 128 (x near the top of the range) stays finite.
        let k = Int32(bitPattern: t.bitPattern &- shifter.bitPattern)
        let half = k >> 1
        let s1 = Float(bitPattern: UInt32(bitPattern: (half &+ 127) << 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (k &- half &+ 127) << 23))
        let y = p * s1 * s2
        return x < -87.33654 ? 0 : (x > 88.72283 ? .infinity : y)
    }

    @inlinable @inline(__always)
    public static func expm1(_ x: Float) -> Float {
        // Taylor series on |x| < 0.7, where exp(x) − 1 would cancel; exp(x) − 1 elsewhere.
        var p: Float = 1.0 / 3_628_800
        p = p * x + 1.0 / 362_880
        p = p * x + 1.0 / 40320
        p = p * x + 1.0 / 5040
        p = p * x + 1.0 / 720
        p = p * x + 1.0 / 120
        p = p * x + 1.0 / 24
        p = p * x + 1.0 / 6
        p = p * x + 0.5
        let small = (p * x) * x + x
        let large = exp(x) - 1
        return Swift.abs(x) < 0.7 ? small : large
    }

    @inlinable @inline(__always)
    public static func log(_ x: Float) -> Float {
        // x = m·2^e with m in [√½, √2); log m = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.1716.
        // Subnormals are scaled into the normal range first.
        let tiny = x < .leastNormalMagnitude
        let bits = (tiny ? x * 16_777_216 : x).bitPattern
        var e = Int32(bitPattern: (bits >> 23) & 0xff) - (tiny ? 151 : 127)
        var m = Float(bitPattern: (bits & 0x007f_ffff) | 0x3f80_0000)
        let big = m > 1.414_213_56
        m = big ? m * 0.5 : m
        e = big ? e + 1 : e
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p: Float = 2.0 / 9
        p = p * s2 + 2.0 / 7
        p = p * s2 + 2.0 / 5
        p = p * s2 + 2.0 / 3
        let logm = s * (p * s2) + 2 * s
        let y = Float(e) * 0.693_147_18 + logm
        return x > 0 ? (x.isFinite ? y : x) : (x == 0 ? -.infinity : .nan)
    }

    public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: Real {
    public static var precision: Precision { .float64 }

    @inlinable @inline(__always)
    public static func exp(_ x: Double) -> Double {
        // Cody–Waite reduction with a two-part ln2, then Taylor to degree 13 on |r| ≤ ln2/2
        // (truncation error below 4e-18).
        let xc = Swift.min(Swift.max(x, -708.39), 709.78)
        let shifter: Double = 6_755_399_441_055_744   // 1.5·2^52
        let t = xc * 1.442_695_040_888_963_4 + shifter
        let n = t - shifter
        let r = (xc - n * 6.931_471_803_691_238_164_90e-01) - n * 1.908_214_929_270_587_700_02e-10
        var p: Double = 1.0 / 6_227_020_800
        p = p * r + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40320
        p = p * r + 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = (p * r) * r + r + 1
        let k = Int64(bitPattern: t.bitPattern &- shifter.bitPattern)
        let half = k >> 1
        let s1 = Double(bitPattern: UInt64(bitPattern: (half &+ 1023) << 52))
        let s2 = Double(bitPattern: UInt64(bitPattern: (k &- half &+ 1023) << 52))
        let y = p * s1 * s2
        return x < -708.39 ? 0 : (x > 709.78 ? .infinity : y)
    }

    @inlinable @inline(__always)
    public static func expm1(_ x: Double) -> Double {
        // Taylor to degree 18 on |x| < 0.7 (truncation below 1e-19); exp(x) − 1 elsewhere.
        var p: Double = 1.0 / 6_402_373_705_728_000
        p = p * x + 1.0 / 355_687_428_096_000
        p = p * x + 1.0 / 20_922_789_888_000
        p = p * x + 1.0 / 1_307_674_368_000
        p = p * x + 1.0 / 87_178_291_200
        p = p * x + 1.0 / 6_227_020_800
        p = p * x + 1.0 / 479_001_600
        p = p * x + 1.0 / 39_916_800
        p = p * x + 1.0 / 3_628_800
        p = p * x + 1.0 / 362_880
        p = p * x + 1.0 / 40320
        p = p * x + 1.0 / 5040
        p = p * x + 1.0 / 720
        p = p * x + 1.0 / 120
        p = p * x + 1.0 / 24
        p = p * x + 1.0 / 6
        p = p * x + 0.5
        let small = (p * x) * x + x
        let large = exp(x) - 1
        return Swift.abs(x) < 0.7 ? small : large
    }

    @inlinable @inline(__always)
    public static func log(_ x: Double) -> Double {
        // As for Float; the atanh series to s^23 leaves a truncation error below 1e-17.
        let tiny = x < .leastNormalMagnitude
        let bits = (tiny ? x * 18_014_398_509_481_984 : x).bitPattern   // 2^54
        var e = Int64(bitPattern: (bits >> 52) & 0x7ff) - (tiny ? 1077 : 1023)
        var m = Double(bitPattern: (bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000)
        let big = m > 1.414_213_562_373_095_1
        m = big ? m * 0.5 : m
        e = big ? e + 1 : e
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p: Double = 2.0 / 23
        p = p * s2 + 2.0 / 21
        p = p * s2 + 2.0 / 19
        p = p * s2 + 2.0 / 17
        p = p * s2 + 2.0 / 15
        p = p * s2 + 2.0 / 13
        p = p * s2 + 2.0 / 11
        p = p * s2 + 2.0 / 9
        p = p * s2 + 2.0 / 7
        p = p * s2 + 2.0 / 5
        p = p * s2 + 2.0 / 3
        let logm = s * (p * s2) + 2 * s
        let de = Double(e)
        let y = de * 6.931_471_803_691_238_164_90e-01 + (logm + de * 1.908_214_929_270_587_700_02e-10)
        return x > 0 ? (x.isFinite ? y : x) : (x == 0 ? -.infinity : .nan)
    }

    public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}

/// Storage precision of a network, a student bank or a run.
public enum Precision: String, Sendable, Codable, CaseIterable {
    case float32, float64

    public var bytesPerScalar: Int { self == .float32 ? 4 : 8 }
}
