import Foundation

/// Refuses, with an error that names what asked for it, memory that cannot be had. Swift traps
/// when an `Int` size overflows or an allocation fails, and sizes that flags choose (samples ×
/// inputs, students × widths) can do both: such a request must end in one line, not a crash.
public enum MemoryBudget {
    /// Throws `ECError.invalidArgument` unless arrays of `shapes` (each the product of its
    /// dimensions) in values of `bytesEach` bytes fit together in this machine's physical memory.
    /// `what` names the request in the user's terms, e.g. "--samples 1000000000 with 784 inputs".
    public static func require(_ shapes: [[Int]], bytesEach: Int, for what: String,
                               available: UInt64 = ProcessInfo.processInfo.physicalMemory) throws {
        var total = 0, overflow = false
        for shape in shapes {
            var bytes = bytesEach
            for dimension in shape {
                let (product, overflowed) = bytes.multipliedReportingOverflow(by: dimension)
                bytes = product
                overflow = overflow || overflowed
            }
            let (sum, overflowed) = total.addingReportingOverflow(bytes)
            total = sum
            overflow = overflow || overflowed
        }
        guard overflow || UInt64(max(total, 0)) > available else { return }
        let needed = overflow ? "more than 8 EiB" : gibibytes(UInt64(total))
        throw ECError.invalidArgument("\(what) needs \(needed) of memory; this machine has \(gibibytes(available))")
    }

    private static func gibibytes(_ bytes: UInt64) -> String {
        String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
}
