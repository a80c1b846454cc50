import ECCore
import ECEngine
import Testing
import TestSupport

/// What the kernel tests share: the suite's context (so each program variant compiles once for
/// the whole run), its tuning, and random data.
enum DeviceTest {
    static var context: OpenCLContext { get throws { try TestOpenCL.context.get() } }

    static var tuning: KernelTuning { get throws { try KernelTuning.for(context.device) } }

    static func random<T: Real>(_ count: Int, seed: UInt64, scale: Double = 1, as _: T.Type = T.self) -> [T] {
        var random = RandomSource(seed: seed)
        return (0..<count).map { _ in T(random.normal() * scale) }
    }

    /// Rounding allowance for a sum of `terms` products whose magnitudes add up to `magnitude`:
    /// the textbook bound for recursive summation, with room for a different order.
    static func allowance<T: Real>(_: T.Type, terms: Int, magnitude: Double) -> Double {
        Double(2 * terms + 4) * Double(T.ulpOfOne) * magnitude + Double(T.leastNormalMagnitude)
    }
}

extension Precision {
    /// The Swift type of the precision, for calling a generic test body from a parameterised test.
    var scalarType: any Real.Type { self == .float32 ? Float.self : Double.self }
}
