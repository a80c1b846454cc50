import CBLAS
import ECCore

/// The eigendecomposition A = Q·Λ·Qᵀ of a symmetric matrix (LAPACK dsyev).
public struct SymmetricEigen: Sendable {
    /// Eigenvalues, ascending.
    public let values: [Double]
    /// The orthonormal eigenvectors as rows [k, k]: row j belongs to `values[j]`.
    public let vectors: Matrix<Double>

    /// Decomposes a symmetric `matrix`; only its upper triangle is read.
    public init(_ matrix: Matrix<Double>) throws {
        guard matrix.rows == matrix.columns else {
            throw ECError.shapeMismatch("eigendecomposition: a \(matrix.rows)×\(matrix.columns) matrix is not square")
        }
        guard matrix.firstNonFiniteIndex == nil else {
            throw ECError.nonFiniteData("eigendecomposition: the matrix contains NaN or infinity")
        }
        let k = matrix.rows
        guard k > 0 else {
            values = []
            vectors = matrix
            return
        }
        // Symmetric, so row- and column-major agree. The column-major eigenvectors LAPACK writes
        // back (a[j·k + i] is component i of eigenvector j) are the row-major rows.
        var a = matrix.scalars
        var eigenvalues = [Double](repeating: 0, count: k)
        var n = Int32(k), lda = Int32(k), info: Int32 = 0, lwork: Int32 = -1, query = 0.0
        "V".withCString { jobz in "U".withCString { uplo in
            dsyev_(jobz, uplo, &n, &a, &lda, &eigenvalues, &query, &lwork, &info)
        } }
        lwork = Int32(query.rounded(.up))
        var work = [Double](repeating: 0, count: max(Int(lwork), 1))
        "V".withCString { jobz in "U".withCString { uplo in
            dsyev_(jobz, uplo, &n, &a, &lda, &eigenvalues, &work, &lwork, &info)
        } }
        guard info == 0 else {
            throw ECError.nonFiniteData("eigendecomposition: LAPACK dsyev did not converge (info \(info))")
        }
        values = eigenvalues
        vectors = Matrix(rows: k, columns: k, scalars: a)
    }

    /// The symmetric positive semi-definite square root Q·Λ^½·Qᵀ of a positive semi-definite
    /// matrix; negative round-off eigenvalues count as 0.
    public static func squareRoot(of matrix: Matrix<Double>) throws -> Matrix<Double> {
        let eigen = try SymmetricEigen(matrix)
        var scaled = eigen.vectors
        let k = matrix.rows
        for j in 0..<k {
            let s = max(eigen.values[j], 0).squareRoot().squareRoot()
            for i in 0..<k { scaled[j, i] *= s }
        }
        // Σⱼ √λⱼ qⱼ qⱼᵀ = BᵀB with rows λⱼ^¼ qⱼ: a Gram matrix, so exactly symmetric.
        return scaled.gram
    }
}
