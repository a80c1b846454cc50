import Dispatch
import ECCore

/// The M(M−1)/2 distances between M points, in SciPy's condensed order: the pair (i, j), i < j,
/// sits at index M·i − i(i+1)/2 + j − i − 1 (row i of the strict upper triangle, row-major).
///
/// This is the one O(M²) structure of the clustering. It is stored in Float32 to halve its
/// memory (M = 20,480 points take 840 MB); clustering then updates it in place.
public struct CondensedDistances: Sendable, Equatable {
    /// The number of points M.
    public let count: Int
    /// The M(M−1)/2 distances, in condensed order: finite and non-negative, which the
    /// clustering relies on, so only this module writes them.
    public internal(set) var values: [Float]

    /// Wraps distances already in condensed order (e.g. from `scipy.spatial.distance.pdist`).
    /// - Throws: `ECError.shapeMismatch` when `values` does not hold count(count−1)/2 entries,
    ///   `ECError.nonFiniteData` when one is negative, NaN or infinite.
    public init(count: Int, values: [Float]) throws {
        guard count >= 0, values.count == Self.pairCount(count) else {
            throw ECError.shapeMismatch("condensed distances: \(values.count) values for \(count) points, "
                                        + "expected \(Self.pairCount(max(count, 0)))")
        }
        if let bad = values.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw ECError.nonFiniteData("condensed distances: entry \(bad) is \(values[bad])")
        }
        self.count = count
        self.values = values
    }

    /// The number of pairs among `count` points.
    public static func pairCount(_ count: Int) -> Int {
        count * (count - 1) / 2
    }

    /// The condensed index of the pair (i, j) of distinct points, in either order.
    @inlinable @inline(__always)
    public static func index(_ i: Int, _ j: Int, count: Int) -> Int {
        let (low, high) = i < j ? (i, j) : (j, i)
        return count * low - low * (low + 1) / 2 + high - low - 1
    }

    /// The distance between points i and j (0 when i == j).
    public subscript(i: Int, j: Int) -> Float {
        i == j ? 0 : values[Self.index(i, j, count: count)]
    }
}

extension CondensedDistances {
    /// Below this fraction of ‖xᵢ‖² + ‖xⱼ‖², the Gram-matrix form ‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ has lost
    /// too many digits to cancellation (its absolute error is about D·ε·(‖xᵢ‖² + ‖xⱼ‖²) in the
    /// worst case), so such pairs are recomputed directly from the difference. Duplicates then get
    /// exactly 0, near-duplicates (the pairs clustering cares most about) their full precision, and
    /// every other pair stays within ~1e-7 relative error before the Float32 rounding. Only
    /// near-duplicate pairs take the slow path.
    static let cancellationThreshold = 1e-6

    /// Rows per block: a block's Gram slab is blockRows × M doubles (42 MB at M = 20,480, one
    /// per thread), so the full M×M Gram matrix never exists. Fewer, larger blocks make BLAS
    /// repack the shared right-hand operand less often; 80 blocks at that M still balance the
    /// threads.
    static let blockRows = 256

    /// The Euclidean distances between the rows of `vectors` ([M, D]).
    ///
    /// Computed from the Gram matrix (BLAS) one block of rows at a time, the blocks spread over
    /// all cores; see `cancellationThreshold` for how close pairs keep their accuracy.
    /// With `signInvariant`, each pair is at min(‖xᵢ − xⱼ‖, ‖xᵢ + xⱼ‖): a vector and its negation
    /// are the same point (neurons of activations whose symmetry allows a sign flip).
    /// - Throws: `ECError.nonFiniteData` when an entry is NaN or infinite, or a squared norm
    ///   overflows.
    public init(euclideanBetweenRowsOf vectors: Matrix<Double>, signInvariant: Bool = false) throws {
        if let bad = vectors.firstNonFiniteIndex {
            throw ECError.nonFiniteData("distances: vector \(bad / vectors.columns) has a non-finite entry")
        }
        let m = vectors.rows, dimension = vectors.columns
        let squaredNorms = Self.squaredNorms(of: vectors)
        if let bad = squaredNorms.firstIndex(where: { !($0 < .greatestFiniteMagnitude / 4) }) {
            throw ECError.nonFiniteData("distances: the squared norm of vector \(bad) overflows")
        }
        let total = Self.pairCount(m)
        let values = [Float](unsafeUninitializedCapacity: total) { output, initialized in
            initialized = total
            // Points without coordinates are all at distance 0 (and BLAS gets no buffers).
            guard dimension > 0 else { output.initialize(repeating: 0); return }
            let blockCount = (m + Self.blockRows - 1) / Self.blockRows
            vectors.scalars.withUnsafeBufferPointer { vectorBuffer in
                squaredNorms.withUnsafeBufferPointer { normBuffer in
                    // The blocks share read-only inputs and write disjoint rows of the output.
                    nonisolated(unsafe) let x = vectorBuffer, norms = normBuffer, output = output
                    DispatchQueue.concurrentPerform(iterations: blockCount) { block in
                        Self.fillBlock(block, points: m, dimension: dimension, x: x, norms: norms,
                                       signInvariant: signInvariant, output: output)
                    }
                }
            }
        }
        self.count = m
        self.values = values
    }

    /// ‖xᵢ‖² for every row.
    private static func squaredNorms(of vectors: Matrix<Double>) -> [Double] {
        let dimension = vectors.columns
        return vectors.scalars.withUnsafeBufferPointer { x in
            (0..<vectors.rows).map { i in
                var sum = 0.0
                for k in (i * dimension)..<((i + 1) * dimension) { sum += x[k] * x[k] }
                return sum
            }
        }
    }

    /// ‖xᵢ − s·xⱼ‖² by the direct loop (s = ±1).
    @inline(__always)
    private static func squaredDistance(_ x: UnsafeBufferPointer<Double>, _ i: Int, _ j: Int, _ dimension: Int,
                                        sign: Double = 1) -> Double {
        var sum = 0.0
        for k in 0..<dimension {
            let difference = x[i * dimension + k] - sign * x[j * dimension + k]
            sum += difference * difference
        }
        return sum
    }

    /// Distances from the rows of one block to all later points: G = X[block] · X[first...]ᵀ,
    /// then d = √max(‖xᵢ‖² + ‖xⱼ‖² − 2Gᵢⱼ, 0) (|Gᵢⱼ| when sign-invariant), written to the block's condensed rows.
    private static func fillBlock(_ block: Int, points m: Int, dimension: Int,
                                  x: UnsafeBufferPointer<Double>, norms: UnsafeBufferPointer<Double>,
                                  signInvariant: Bool, output: UnsafeMutableBufferPointer<Float>) {
        let first = block * blockRows
        let last = min(first + blockRows, m)
        let columns = m - first   // points first..<m; those at or left of the diagonal go unused
        let gram = UnsafeMutableBufferPointer<Double>.allocate(capacity: (last - first) * columns)
        defer { gram.deallocate() }
        Double.gemm(m: last - first, n: columns, k: dimension,
                    GemmOperand(x.baseAddress! + first * dimension, leadingDimension: dimension),
                    GemmOperand(x.baseAddress! + first * dimension, leadingDimension: dimension, transposed: true),
                    gram.baseAddress!, ldc: columns)
        for i in first..<last {
            let gramRow = (i - first) * columns - first   // gram[gramRow + j] = xᵢ·xⱼ
            let outputRow = index(i, i + 1, count: m) - (i + 1)   // output[outputRow + j] = d(i, j)
            let normI = norms[i]
            for j in (i + 1)..<m {
                let scale = normI + norms[j]
                let dot = gram[gramRow + j]
                // Sign-invariant: the nearer of xⱼ and −xⱼ, i.e. the one with the positive dot.
                let sign: Double = signInvariant && dot < 0 ? -1 : 1
                var squared = scale - 2 * sign * dot
                if squared < cancellationThreshold * scale {
                    squared = squaredDistance(x, i, j, dimension, sign: sign)
                }
                output[outputRow + j] = Float(max(squared, 0).squareRoot())
            }
        }
    }
}
