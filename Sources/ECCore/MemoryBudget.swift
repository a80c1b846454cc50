import Foundation

/// Refuses, with an error that names what asked for it, memory that cannot be had. Swift traps
/// when an `Int` size overflows or an allocation fails, and sizes that flags choose (samples ×
/// inputs, students × widths) can do both: such a request must end in one line, not a crash.
public enum MemoryBudget {
    /// Throws `ECError.invalidArgument` unless arrays of `shapes` (each the product of its
    /// dimensions) in values of `bytesEach` bytes fit together in this machine's physical memory.
    /// `what` names the request in the user's terms, e.g. "--samples 1000000000 with 784 inputs".
    public static func require(_ shapes: [[Int]], bytesEach: Int, for what: String,
                               available: UInt64 = available) throws {
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
        throw ECError.invalidArgument("\(what) needs \(needed) of memory; \(describe(available))")
    }

    /// The environment variable that lowers (or raises) the budget, in bytes or with a K, M or G
    /// suffix: for machines shared with other work, and for tests of what a small machine refuses.
    public static let variable = "EC_MEMORY_BUDGET"

    /// The bytes a command may hold: `EC_MEMORY_BUDGET` when set and valid, else physical memory.
    public static var available: UInt64 {
        ProcessInfo.processInfo.environment[variable].flatMap(parseBytes) ?? ProcessInfo.processInfo.physicalMemory
    }

    /// The budget as errors state it.
    public static func describe(_ budget: UInt64) -> String {
        ProcessInfo.processInfo.environment[variable].flatMap(parseBytes) == budget
            ? "the memory budget (\(variable)) is \(gibibytes(budget))" : "this machine has \(gibibytes(budget))"
    }

    /// "1048576", "512K", "64M", "2G".
    static func parseBytes(_ text: String) -> UInt64? {
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let unit = text.last.flatMap { units[Character($0.uppercased())] }
        guard let number = UInt64(unit == nil ? text : String(text.dropLast())) else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit ?? 1)
        return overflow ? nil : bytes
    }

    private static func gibibytes(_ bytes: UInt64) -> String {
        String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
}
