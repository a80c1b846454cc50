import ArgumentParser

/// Checks of flag values that need no file or device to judge, for the commands' `validate()`:
/// ArgumentParser reports a failure as a usage error (exit status 2) before any work starts. The
/// library checks the same invariants again (as `ECError`) for callers other than this tool.
enum FlagCheck {
    /// Requires `value > 0`.
    static func positive<Value: Comparable & Numeric>(_ value: Value, _ flag: String) throws {
        try require(value > 0, flag, "positive", got: value)
    }

    /// Requires a positive, finite `value` (learning rates, ρ).
    static func positiveFinite(_ value: Double, _ flag: String) throws {
        try require(value > 0 && value.isFinite, flag, "positive and finite", got: value)
    }

    /// Requires `condition`, else reports that `flag` must be `rule` and what it got.
    static func require(_ condition: Bool, _ flag: String, _ rule: String, got value: Any) throws {
        guard condition else { throw ValidationError("\(flag) must be \(rule) (got \(value))") }
    }
}
