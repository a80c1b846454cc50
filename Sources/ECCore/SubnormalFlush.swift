import ECFloatMode

/// Runs `body` with subnormal numbers flushed to zero on the calling thread, and gives the thread
/// its mode back after. Training loops run in it: x86 CPUs compute with subnormal operands in
/// microcode, and what the flush changes is below 2^-126 (float32) or 2^-1022 (float64).
@inline(__always)
public func withSubnormalsFlushed<R>(_ body: () throws -> R) rethrows -> R {
    let mode = ec_float_mode_flush_subnormals()
    defer { ec_float_mode_restore(mode) }
    return try body()
}
