import ECCore

/// An orthonormal basis of length-n columns, grown one column at a time (classical Gram–Schmidt
/// applied twice through BLAS, which keeps the directions orthogonal to round-off). A column adds
/// a direction only if its part outside the span exceeds `tolerance` of its norm.
public struct OrthonormalBasis: Sendable {
    public static let tolerance = 1e-8

    /// The length of every column.
    public let length: Int
    /// The directions as rows [count, length].
    public private(set) var directions: Matrix<Double>

    public init(length: Int) {
        self.length = length
        directions = Matrix(rows: 0, columns: length)
    }

    public var count: Int { directions.rows }

    /// The unit direction that `v` adds to the span, or nil when `v` lies in it to `tolerance`
    /// of its norm.
    public func direction(outside v: [Double]) -> [Double]? {
        precondition(v.count == length, "OrthonormalBasis: a column of \(v.count) against length \(length)")
        let norm = v.euclideanNorm
        guard norm > 0, norm.isFinite else { return nil }
        var u = Matrix(rows: length, columns: 1, scalars: v)
        if count > 0 {
            for _ in 0..<2 { u = Self.subtracting(directions, from: u) }
        }
        let remaining = u.scalars.euclideanNorm
        guard remaining > Self.tolerance * norm else { return nil }
        return u.scalars.map { $0 / remaining }
    }

    /// Adds the direction `v` contributes, if any; returns whether it added one.
    @discardableResult
    public mutating func add(_ v: [Double]) -> Bool {
        guard let direction = direction(outside: v) else { return false }
        append(direction)
        return true
    }

    /// Appends a unit direction already orthogonal to the span (from `direction(outside:)`).
    public mutating func append(_ direction: [Double]) {
        precondition(direction.count == length, "OrthonormalBasis: a direction of \(direction.count) against length \(length)")
        directions = Matrix(rows: count + 1, columns: length, scalars: directions.scalars + direction)
    }

    /// `targets` [n, k] minus its projection on the span.
    public func residual(of targets: Matrix<Double>) -> Matrix<Double> {
        count > 0 ? Self.subtracting(directions, from: targets) : targets
    }

    /// `targets` [n, k] minus its projection on the unit column `q`.
    public static func removing(_ q: [Double], from targets: Matrix<Double>) -> Matrix<Double> {
        subtracting(Matrix(rows: 1, columns: q.count, scalars: q), from: targets)
    }

    /// Y − Qᵀ·(Q·Y) for orthonormal rows Q [m, n] and Y [n, k].
    private static func subtracting(_ q: Matrix<Double>, from y: Matrix<Double>) -> Matrix<Double> {
        var coefficients = Matrix<Double>(rows: q.rows, columns: y.columns)   // Q·Y
        var out = y
        guard y.rows > 0, y.columns > 0, q.rows > 0 else { return out }
        q.scalars.withUnsafeBufferPointer { qp in
            y.scalars.withUnsafeBufferPointer { yp in
                coefficients.scalars.withUnsafeMutableBufferPointer { cp in
                    Double.gemm(m: q.rows, n: y.columns, k: y.rows,
                                GemmOperand(qp.baseAddress!, leadingDimension: q.columns),
                                GemmOperand(yp.baseAddress!, leadingDimension: y.columns),
                                cp.baseAddress!, ldc: y.columns)
                }
            }
        }
        q.scalars.withUnsafeBufferPointer { qp in
            coefficients.scalars.withUnsafeBufferPointer { cp in
                out.scalars.withUnsafeMutableBufferPointer { op in
                    Double.gemm(m: y.rows, n: y.columns, k: q.rows, alpha: -1,
                                GemmOperand(qp.baseAddress!, leadingDimension: q.columns, transposed: true),
                                GemmOperand(cp.baseAddress!, leadingDimension: coefficients.columns),
                                beta: 1, op.baseAddress!, ldc: y.columns)
                }
            }
        }
        return out
    }
}
