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
    /// 2·atanh(s) for |s| ≤ 0.2, the series both logarithms reduce to.
    static func twoAtanh(_ s: Self) -> Self
    /// The error function (libm; only GELU needs it).
    static func erf(_ x: Self) -> Self
    /// Narrowing or widening conversion from Double.
    init(_ value: Double)
}

extension Real {
    /// log(1 + x) for 0 ≤ x ≤ 1, the softplus term log(1 + e^−|z|). 1 + x is split at 1.5 so that
    /// no exponent needs extracting: log(1 + x) = 2·atanh(x/(x + 2)) below, and ln 2 +
    /// 2·atanh((x − 1)/(x + 3)) above, where x − 1 is exact; |s| ≤ 0.2 on both sides.
    @inlinable @inline(__always)
    public static func log1pOfUnit(_ x: Self) -> Self {
        let upper = x > 0.5
        let series = twoAtanh((upper ? x - 1 : x) / (upper ? x + 3 : x + 2))
        let shifted = series + Self(0.693_147_180_559_945_309_42)
        return upper ? shifted : series
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
        let y = Float(e) * 0.693_147_18 + twoAtanh((m - 1) / (m + 1))
        return x > 0 ? (x.isFinite ? y : x) : (x == 0 ? -.infinity : .nan)
    }

    @inlinable @inline(__always)
    public static func twoAtanh(_ s: Float) -> Float {
        // 2(s + s³/3 + … + s⁹/9): at |s| = 0.2 the next term is below 1e-8 relative.
        let s2 = s * s
        var p: Float = 2.0 / 9
        p = p * s2 + 2.0 / 7
        p = p * s2 + 2.0 / 5
        p = p * s2 + 2.0 / 3
        return s * (p * s2) + 2 * s
    }

    public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: Real {
    public static var precision: Precision { .float64 }

    @inlinable @inline(__always)
    public static func exp(_ x: Double) -> Double {
        // Taylor to degree 13 on the reduced argument (truncation error below 4e-18).
        let (r, _, s1, s2) = reduced(Swift.min(Swift.max(x, -708.39), 709.78))
        let p = (r * r) * exponentialSeries(r) + r + 1
        let y = p * s1 * s2
        return x < -708.39 ? 0 : (x > 709.78 ? .infinity : y)
    }

    @inlinable @inline(__always)
    public static func expm1(_ x: Double) -> Double {
        // e^x − 1 = 2^n·(e^r − 1) + (2^n − 1): one polynomial instead of a Taylor series near 0
        // and exp(x) − 1 beside it, since tanh calls this on every element. r = x exactly when
        // |x| ≤ ln2/2, and 2^n − 1 is exact for n ≤ 53; beyond, the − 1 is below the result's ulp.
        // Below −40, e^x − 1 rounds to −1.
        let (r, n, s1, s2) = reduced(Swift.min(Swift.max(x, -40), 709.78))
        let p = (r * r) * exponentialSeries(r) + r
        let near = (p * s1) * s2 + (s1 * s2 - 1)
        let far = ((p + 1) * s1) * s2 - 1
        let y = n > 53 ? far : near
        return x > 709.78 ? .infinity : y
    }

    /// Cody–Waite reduction of x (already within exp's range) with a two-part ln2: x = n·ln2 + r,
    /// |r| ≤ ln2/2, and 2^n as two factors s1·s2, so that n = 1024 at the top of the range stays
    /// finite. n is rounded with the 1.5·2^52 shifter, so no int conversion is needed.
    @inlinable @inline(__always)
    static func reduced(_ x: Double) -> (r: Double, n: Int64, s1: Double, s2: Double) {
        let shifter: Double = 6_755_399_441_055_744   // 1.5·2^52
        let t = x * 1.442_695_040_888_963_4 + shifter
        let n = t - shifter
        let r = (x - n * 6.931_471_803_691_238_164_90e-01) - n * 1.908_214_929_270_587_700_02e-10
        let k = Int64(bitPattern: t.bitPattern &- shifter.bitPattern)
        let half = k >> 1
        let s1 = Double(bitPattern: UInt64(bitPattern: (half &+ 1023) << 52))
        let s2 = Double(bitPattern: UInt64(bitPattern: (k &- half &+ 1023) << 52))
        return (r, k, s1, s2)
    }

    /// Σ x^j/(j+2)!, j = 0…11: exp's Taylor polynomial after 1 + x, and the head of expm1's.
    /// Estrin's scheme: the dependency chain is 4 steps deep instead of Horner's 12, so a
    /// vectorised loop is not bound by the latency of one long chain.
    @inlinable @inline(__always)
    @usableFromInline static func exponentialSeries(_ x: Double) -> Double {
        let x2 = x * x, x4 = x2 * x2, x8 = x4 * x4
        let a0 = 0.5 + x * (1.0 / 6), a1 = 1.0 / 24 + x * (1.0 / 120)
        let a2 = 1.0 / 720 + x * (1.0 / 5040), a3 = 1.0 / 40320 + x * (1.0 / 362_880)
        let a4 = 1.0 / 3_628_800 + x * (1.0 / 39_916_800)
        let a5 = 1.0 / 479_001_600 + x * (1.0 / 6_227_020_800)
        return (a0 + x2 * a1) + x4 * (a2 + x2 * a3) + x8 * (a4 + x2 * a5)
    }

    @inlinable @inline(__always)
    public static func log(_ x: Double) -> Double {
        // As for Float, with the longer series of twoAtanh.
        let tiny = x < .leastNormalMagnitude
        let bits = (tiny ? x * 18_014_398_509_481_984 : x).bitPattern   // 2^54
        var e = Int64(bitPattern: (bits >> 52) & 0x7ff) - (tiny ? 1077 : 1023)
        var m = Double(bitPattern: (bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000)
        let big = m > 1.414_213_562_373_095_1
        m = big ? m * 0.5 : m
        e = big ? e + 1 : e
        let logm = twoAtanh((m - 1) / (m + 1))
        let de = Double(e)
        let y = de * 6.931_471_803_691_238_164_90e-01 + (logm + de * 1.908_214_929_270_587_700_02e-10)
        return x > 0 ? (x.isFinite ? y : x) : (x == 0 ? -.infinity : .nan)
    }

    @inlinable @inline(__always)
    public static func twoAtanh(_ s: Double) -> Double {
        // 2(s + s³/3 + … + s²³/23): at |s| = 0.2 the next term is below 1e-18 relative. Estrin's
        // scheme, as in exponentialSeries.
        let s2 = s * s, t2 = s2 * s2, t4 = t2 * t2, t8 = t4 * t4
        let a0 = 2.0 / 3 + s2 * (2.0 / 5), a1 = 2.0 / 7 + s2 * (2.0 / 9)
        let a2 = 2.0 / 11 + s2 * (2.0 / 13), a3 = 2.0 / 15 + s2 * (2.0 / 17)
        let a4 = 2.0 / 19 + s2 * (2.0 / 21)
        let b0 = a0 + t2 * a1, b1 = a2 + t2 * a3, b2 = a4 + t2 * (2.0 / 23)
        let p = (b0 + t4 * b1) + t8 * b2    // Σ 2·s2^j/(2j+3), j = 0…10
        return s * (p * s2) + 2 * s
    }

    public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}

/// Storage precision of a network, a student bank or a run.
public enum Precision: String, Sendable, Codable, CaseIterable {
    case float32, float64

    public var bytesPerScalar: Int { self == .float32 ? 4 : 8 }
}
