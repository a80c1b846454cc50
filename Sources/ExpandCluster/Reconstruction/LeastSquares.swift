import ECCore
import Foundation

/// Linear least squares in float64 through the normal equations with a tiny ridge:
/// min ‖A·B − Y‖² + λ‖B‖², λ = 1e-12 · mean(diag AᵀA). The ridge only matters for (near-)
/// collinear columns, which a collapse can leave behind; A has few columns here (features of a
/// recovered layer plus inputs), so forming AᵀA is cheap.
enum LeastSquares {
    /// B [p, k] for A [n, p], Y [n, k].
    static func solve(_ a: Matrix<Double>, _ y: Matrix<Double>) throws -> Matrix<Double> {
        precondition(a.rows == y.rows)
        let p = a.columns
        let gram = a.transposed.multipliedByTranspose(of: a.transposed)      // AᵀA [p, p]
        var rhs = a.transposed.multipliedByTranspose(of: y.transposed)       // AᵀY [p, k]
        var lower = gram
        let ridge = 1e-12 * max((0..<p).reduce(0) { $0 + gram[$1, $1] } / Double(max(p, 1)), 1e-300)
        for i in 0..<p { lower[i, i] += ridge }
        // Cholesky: AᵀA + λI = L Lᵀ, in place in the lower triangle.
        for j in 0..<p {
            var diagonal = lower[j, j]
            for k in 0..<j { diagonal -= lower[j, k] * lower[j, k] }
            guard diagonal > 0, diagonal.isFinite else {
                throw ECError.nonFiniteData("least squares: the features are degenerate (column \(j))")
            }
            let root = diagonal.squareRoot()
            lower[j, j] = root
            for i in (j + 1)..<p {
                var sum = lower[i, j]
                for k in 0..<j { sum -= lower[i, k] * lower[j, k] }
                lower[i, j] = sum / root
            }
        }
        // Forward then backward substitution, column by column of the right-hand side.
        for c in 0..<rhs.columns {
            for i in 0..<p {
                var sum = rhs[i, c]
                for k in 0..<i { sum -= lower[i, k] * rhs[k, c] }
                rhs[i, c] = sum / lower[i, i]
            }
            for i in stride(from: p - 1, through: 0, by: -1) {
                var sum = rhs[i, c]
                for k in (i + 1)..<p { sum -= lower[k, i] * rhs[k, c] }
                rhs[i, c] = sum / lower[i, i]
            }
        }
        return rhs
    }
}
