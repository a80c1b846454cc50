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
        // Symmetric, so row- and column-major agree; only the lower triangle is read.
        var factor = a.scalars
        var rhs = k == 1 ? b.scalars : b.transposed.scalars
        var n = Int32(p), nrhs = Int32(k), lda = Int32(p), info: Int32 = 0
        "L".withCString { uplo in dposv_(uplo, &n, &nrhs, &factor, &lda, &rhs, &lda, &info) }
        guard info == 0 else {
            throw ECError.invalidArgument(info > 0
                ? "Cholesky solve: the matrix is not positive definite (leading minor \(info))"
                : "Cholesky solve: LAPACK dposv rejected argument \(-info)")
        }
        let solution = Matrix(rows: k, columns: p, scalars: rhs)
        return k == 1 ? Matrix(rows: p, columns: 1, scalars: rhs) : solution.transposed
    }
}
