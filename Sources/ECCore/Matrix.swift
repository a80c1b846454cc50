import CBLAS

/// A dense row-major matrix: the unit of data (a probe set's inputs and targets, one layer's
/// weights) that every stage passes around.
public struct Matrix<T: Real>: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var scalars: [T]

    @inlinable
    public init(rows: Int, columns: Int, scalars: [T]) {
        precondition(rows >= 0 && columns >= 0 && scalars.count == rows * columns,
                     "Matrix: \(scalars.count) scalars do not fill \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.scalars = scalars
    }

    @inlinable
    public init(rows: Int, columns: Int, repeating value: T = 0) {
        self.init(rows: rows, columns: columns, scalars: Array(repeating: value, count: rows * columns))
    }

    /// Builds a matrix from rows of equal length.
    public init(rowArrays: [[T]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "Matrix: ragged rows")
        self.init(rows: rowArrays.count, columns: columns, scalars: rowArrays.flatMap { $0 })
    }

    @inlinable
    public subscript(row: Int, column: Int) -> T {
        get { scalars[row * columns + column] }
        set { scalars[row * columns + column] = newValue }
    }

    @inlinable
    public func row(_ index: Int) -> ArraySlice<T> {
        scalars[index * columns ..< (index + 1) * columns]
    }

    /// The same values in another precision.
    public func converted<U: Real>(to _: U.Type = U.self) -> Matrix<U> {
        Matrix<U>(rows: rows, columns: columns, scalars: scalars.map { U(Double($0)) })
    }

    public var transposed: Matrix {
        var out = Matrix(rows: columns, columns: rows)
        for r in 0..<rows { for c in 0..<columns { out.scalars[c * rows + r] = scalars[r * columns + c] } }
        return out
    }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: some Collection<Int>) -> Matrix {
        var out = [T]()
        out.reserveCapacity(indices.count * columns)
        for i in indices { out.append(contentsOf: row(i)) }
        return Matrix(rows: indices.count, columns: columns, scalars: out)
    }

    /// self · otherᵀ (BLAS), e.g. inputs [n, in] times a weight matrix [out, in].
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func multipliedByTranspose(of other: Matrix) -> Matrix {
        precondition(columns == other.columns, "Matrix: \(rows)×\(columns) · (\(other.rows)×\(other.columns))ᵀ")
        return product(other, transposingSelf: false, transposingOther: true)
    }

    /// selfᵀ · other (BLAS, no transposed copy), e.g. the cross products XᵀY of two data matrices
    /// with the same rows.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func transposeMultiplied(by other: Matrix) -> Matrix {
        precondition(rows == other.rows, "Matrix: (\(rows)×\(columns))ᵀ · \(other.rows)×\(other.columns)")
        return product(other, transposingSelf: true, transposingOther: false)
    }

    /// op(self) · op(other) by one BLAS call, op transposing where asked (the operands are read
    /// in place, row-major); the shapes are the callers' to check.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private func product(_ other: Matrix, transposingSelf: Bool, transposingOther: Bool) -> Matrix {
        let (m, k) = transposingSelf ? (columns, rows) : (rows, columns)
        let n = transposingOther ? other.rows : other.columns
        var out = Matrix(rows: m, columns: n)
        guard m > 0, n > 0, k > 0 else { return out }
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.scalars.withUnsafeMutableBufferPointer { c in
                    T.gemm(m: m, n: n, k: k,
                           GemmOperand(a.baseAddress!, leadingDimension: columns, transposed: transposingSelf),
                           GemmOperand(b.baseAddress!, leadingDimension: other.columns, transposed: transposingOther),
                           c.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }

    /// Mean of each column.
    public var columnMeans: [Double] {
        var sums = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for c in 0..<columns { sums[c] += Double(scalars[r * columns + c]) } }
        return sums.map { rows > 0 ? $0 / Double(rows) : 0 }
    }

    /// Variance of each column around its mean (divided by the number of rows). Inlinable, so
    /// that callers in other modules get it specialised (the Fashion-MNIST input mask reads
    /// 47 million pixels through it).
    @inlinable
    public var columnVariances: [Double] {
        let means = columnMeans
        var squares = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for c in 0..<columns {
            let d = Double(scalars[r * columns + c]) - means[c]
            squares[c] += d * d
        } }
        return squares.map { $0 / Double(max(rows, 1)) }
    }

    /// Variance of all entries around their column means (the Var(y) that relative errors use).
    public var pooledVariance: Double {
        let means = columnMeans
        var total = 0.0
        for r in 0..<rows { for c in 0..<columns {
            let d = Double(scalars[r * columns + c]) - means[c]
            total += d * d
        } }
        return scalars.isEmpty ? 0 : total / Double(scalars.count)
    }

    /// Mean over all entries of the squared difference to `other` (same shape).
    public func meanSquaredDifference(to other: Matrix) -> Double {
        precondition(rows == other.rows && columns == other.columns, "Matrix: comparing \(rows)×\(columns) with \(other.rows)×\(other.columns)")
        var sum = 0.0
        for (a, b) in zip(scalars, other.scalars) {
            let d = Double(a) - Double(b)
            sum += d * d
        }
        return scalars.isEmpty ? 0 : sum / Double(scalars.count)
    }

    /// The index of the first NaN or infinite entry, if any. Inlinable so that it is specialised
    /// to Float or Double where it is used: generic, every entry costs witness calls.
    @inlinable
    public var firstNonFiniteIndex: Int? {
        scalars.firstIndex { !$0.isFinite }
    }
}

extension Matrix where T == Double {
    /// The Gram matrix selfᵀ · self [columns, columns] (BLAS dsyrk: one triangle computed, then
    /// mirrored, so the result is exactly symmetric).
    public var gram: Matrix<Double> {
        var out = Matrix(rows: columns, columns: columns)
        guard columns > 0, rows > 0 else { return out }
        let p = columns
        scalars.withUnsafeBufferPointer { a in
            out.scalars.withUnsafeMutableBufferPointer { c in
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(p), Int32(rows), 1, a.baseAddress!, Int32(p),
                            0, c.baseAddress!, Int32(p))
                for r in 0..<p { for k in 0..<r { c[r * p + k] = c[k * p + r] } }
            }
        }
        return out
    }
}
