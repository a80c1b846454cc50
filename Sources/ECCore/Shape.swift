/// Shapes come from files and flags, so their products must be checked: Swift traps on overflow.
public enum Shape {
    /// Files may not claim more dimensions than NumPy itself allows (64), so that a shape of rank
    /// 10,000 is refused instead of echoed into an error line of 30 KB.
    public static let maximumRank = 64

    /// The product of `dimensions` times `factor` (an element size), or nil when a dimension is
    /// negative or the product of the non-zero ones overflows. The non-zero product matters
    /// because a shape (0, 2^62, 2^62) holds no elements, yet readers still compute the length of
    /// its rows.
    public static func product(_ dimensions: some Sequence<Int>, times factor: Int = 1) -> Int? {
        var nonZero = factor
        var hasZero = factor == 0
        for dimension in dimensions {
            guard dimension >= 0 else { return nil }
            if dimension == 0 { hasZero = true; continue }
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            nonZero = product
        }
        return hasZero ? 0 : nonZero
    }

    /// `shape` as errors print it: the first dimensions only, when there are many.
    public static func description(_ shape: [Int]) -> String {
        let shown = 8
        guard shape.count > shown else { return "\(shape)" }
        let head = shape.prefix(shown).map(String.init).joined(separator: ", ")
        return "[\(head), … (rank \(shape.count))]"
    }
}
