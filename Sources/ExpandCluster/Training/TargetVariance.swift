import ECCore

/// Var(y) over the probe set, the scale every loss is reported and judged in (MSE / Var(y)).
/// Targets that do not vary (one probe point, or a teacher whose outputs are constant on the
/// inputs) leave nothing to fit or identify; they are refused, not reported as losses of 10³⁰⁷.
func targetVariance(_ targets: Matrix<Double>) throws -> Double {
    let variance = targets.pooledVariance
    guard variance >= .leastNormalMagnitude else {
        throw ECError.invalidArgument("the targets y are constant over the probe set (Var(y) = \(variance)), so there is "
                                      + "nothing to fit; probe with more inputs, or inputs that vary the teacher's outputs")
    }
    return variance
}
