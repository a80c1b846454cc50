import CBLAS
import ECCore

/// Solves of symmetric positive definite systems by Cholesky (LAPACK dposv).
public enum Cholesky {
    /// X [p, k] with A·X = B for a symmetric positive definite A [p, p] and B [p, k]. Throws when
    /// A is not positive definite (numerically) or holds NaN or infinity.
    public static func solve(_ a: Matrix<Double>, _ b: Matrix<Double>) throws -> Matrix<Double> {
        guard a.rows == a.columns, b.rows == a.rows else {
            throw ECError.shapeMismatch("Cholesky solve: a \(a.rows)×\(a.columns) matrix against a \(b.rows)×\(b.columns) right-hand side")
        }
        let p = a.rows, k = b.columns
        guard p > 0, k > 0 else { return Matrix(rows: p, columns: k) }
        guard a.firstNonFiniteIndex == nil, b.firstNonFiniteIndex == nil else {
            throw ECError.nonFiniteData("Cholesky solve: the system contains NaN or infinity")
        }
        // Symmetric, so row- and column-major agree.
        var factor = a.scalars
        var rhs = k == 1 ? b.scalars : b.transposed.scalars
        let info = factorAndSolve(&factor, &rhs, order: p, columns: k)
        guard info == 0 else {
            throw ECError.invalidArgument(info > 0
                ? "Cholesky solve: the matrix is not positive definite (leading minor \(info))"
                : "Cholesky solve: LAPACK dposv rejected argument \(-info)")
        }
        let solution = Matrix(rows: k, columns: p, scalars: rhs)
        return k == 1 ? Matrix(rows: p, columns: 1, scalars: rhs) : solution.transposed
    }

    /// Solves in place, for callers that solve many systems of one order and check their data
    /// once: `factor` holds a symmetric A [p, p] (only its lower triangle in column-major order,
    /// i.e. its upper one row-major, is read) and is overwritten by the factor; `rhs` holds B
    /// column-major [p, k] and becomes X. Returns LAPACK's info: 0 on success, i > 0 when the
    /// leading minor of order i is not positive definite.
    public static func factorAndSolve(_ factor: inout [Double], _ rhs: inout [Double], order p: Int, columns k: Int) -> Int {
        precondition(factor.count == p * p && rhs.count == p * k, "Cholesky: buffers do not hold a \(p)×\(p) system with \(k) right-hand sides")
        var n = Int32(p), nrhs = Int32(k), lda = Int32(max(p, 1)), info: Int32 = 0
        "L".withCString { uplo in dposv_(uplo, &n, &nrhs, &factor, &lda, &rhs, &lda, &info) }
        return Int(info)
    }
}
