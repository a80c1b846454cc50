extension Collection where Element == Double {
    /// The Euclidean length √(Σ vᵢ²), summed in order.
    public var euclideanNorm: Double { reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
