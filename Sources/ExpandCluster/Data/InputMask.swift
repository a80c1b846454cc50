import ECCore

/// Which input coordinates carry information over a set of inputs (true = kept), for clustering
/// and comparison (`IdentifyOptions.inputMask`, `NetworkComparison`).
///
/// A pixel that hardly varies over the probe set only shifts the bias: the data pin down
/// w_j·mean_j + b, not w_j, so students disagree on w_j and that coordinate adds noise to the
/// distances between their neurons (and to the angles against the teacher's). How well the data
/// determine w_j scales with the coordinate's spread, so the rule is relative to a typical one:
///
/// - a coordinate that is constant over the inputs (minimum = maximum) is dropped;
/// - of the others, coordinate j is kept when its standard deviation is above
///   `relativeThreshold` (default 0.1) times the median standard deviation of the non-constant
///   coordinates.
///
/// At 0.1 a dropped weight is pinned down at least ten times less well than a typical one and
/// moves the output less than a tenth as much. Gaussian probes keep every coordinate; of
/// Fashion-MNIST's 784 pixels, 753 are kept (the 31 dropped are in the corners of the frame). The
/// paper's MNIST mask, a different feature-selection rule, kept 452 of 784.
public enum InputMask {
    /// The default factor on the median standard deviation below which a coordinate is dropped.
    public static let defaultRelativeThreshold = 0.1

    /// The mask of `inputs` [samples, coordinates] by the rule above.
    /// - Throws: `ECError.invalidArgument` when every coordinate is constant (nothing to identify).
    public static func derive(from inputs: Matrix<Double>, relativeThreshold: Double = defaultRelativeThreshold) throws -> [Bool] {
        let spread = Spread(inputs)
        let varying = spread.standardDeviations.indices.filter { spread.minima[$0] < spread.maxima[$0] }
        guard !varying.isEmpty else {
            throw ECError.invalidArgument("every one of the \(inputs.columns) input coordinates is constant over the \(inputs.rows) inputs")
        }
        let sorted = varying.map { spread.standardDeviations[$0] }.sorted()
        let threshold = relativeThreshold * sorted[sorted.count / 2]
        var mask = [Bool](repeating: false, count: inputs.columns)
        for j in varying where spread.standardDeviations[j] > threshold { mask[j] = true }
        return mask
    }

    /// How many coordinates a mask keeps, of how many (nil: all).
    public static func keptCount(_ mask: [Bool]?, of inputs: Int) -> Int {
        mask.map { $0.filter { $0 }.count } ?? inputs
    }

    /// Per-coordinate minimum, maximum and standard deviation (around the mean, so that large
    /// offsets do not cancel the variance away).
    private struct Spread {
        var minima: [Double], maxima: [Double], standardDeviations: [Double]

        init(_ inputs: Matrix<Double>) {
            let d = inputs.columns
            var low = [Double](repeating: .infinity, count: d), high = [Double](repeating: -.infinity, count: d)
            inputs.scalars.withUnsafeBufferPointer { x in
                for r in 0..<inputs.rows {
                    for j in 0..<d {
                        low[j] = min(low[j], x[r * d + j])
                        high[j] = max(high[j], x[r * d + j])
                    }
                }
            }
            (minima, maxima) = (low, high)
            standardDeviations = inputs.columnVariances.map { $0.squareRoot() }
        }
    }
}

/// How `ec identify` and `ec compare` choose the input mask.
public enum InputMaskRule: String, Sendable, Codable, CaseIterable {
    /// `InputMask.derive` on the probe inputs.
    case auto
    /// Every coordinate kept.
    case none

    /// The mask for the inputs `load` gives (called only for `auto`); nil keeps every coordinate,
    /// also when `auto` drops none, so that runs on Gaussian probes are as without a mask.
    public func mask(for load: () throws -> Matrix<Double>) throws -> [Bool]? {
        guard self == .auto else { return nil }
        let mask = try InputMask.derive(from: load())
        return mask.allSatisfy { $0 } ? nil : mask
    }
}
