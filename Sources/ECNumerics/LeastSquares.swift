import CBLAS
import ECCore

/// Linear least squares min ‖A·B − Y‖ in float64 by the SVD (LAPACK dgelsd). Working on A itself
/// rather than on AᵀA keeps the accuracy that nearly collinear features leave (the normal
/// equations square their condition number), and singular values below `rcond` times the largest
/// count as zero, so collinear or duplicate columns get the minimum-norm solution.
public enum LeastSquares {
    /// B [p, k] for A [n, p] and Y [n, k]. `rcond` defaults to ε·max(n, p), NumPy's default.
    public static func solve(_ a: Matrix<Double>, _ y: Matrix<Double>, rcond: Double? = nil) throws -> Matrix<Double> {
        guard a.rows == y.rows else {
            throw ECError.shapeMismatch("least squares: \(a.rows) rows of features against \(y.rows) rows of targets")
        }
        let n = a.rows, p = a.columns, k = y.columns
        guard n > 0, p > 0, k > 0 else { return Matrix(rows: p, columns: k) }
        guard a.firstNonFiniteIndex == nil, y.firstNonFiniteIndex == nil else {
            throw ECError.nonFiniteData("least squares: the features or targets contain NaN or infinity")
        }
        // A row-major A [n, p] is the column-major Aᵀ: its transpose's scalars are A column-major.
        var columnMajor = a.transposed.scalars
        let leading = max(n, p)
        var b = [Double](repeating: 0, count: leading * k)
        for r in 0..<n { for c in 0..<k { b[c * leading + r] = y[r, c] } }
        var singular = [Double](repeating: 0, count: min(n, p))
        var m32 = Int32(n), n32 = Int32(p), k32 = Int32(k), lda = Int32(n), ldb = Int32(leading)
        var cutoff = rcond ?? Double.ulpOfOne * Double(leading)
        var rank: Int32 = 0, info: Int32 = 0, lwork: Int32 = -1
        var query = 0.0, iquery: Int32 = 0
        dgelsd_(&m32, &n32, &k32, &columnMajor, &lda, &b, &ldb, &singular, &cutoff, &rank, &query, &lwork, &iquery, &info)
        guard info == 0 else { throw ECError.invalidArgument("least squares: LAPACK dgelsd rejected its workspace query (info \(info))") }
        lwork = Int32(query.rounded(.up))
        var work = [Double](repeating: 0, count: max(Int(lwork), 1))
        var iwork = [Int32](repeating: 0, count: max(Int(iquery), 1))
        dgelsd_(&m32, &n32, &k32, &columnMajor, &lda, &b, &ldb, &singular, &cutoff, &rank, &work, &lwork, &iwork, &info)
        guard info == 0 else {
            throw ECError.nonFiniteData("least squares: the SVD did not converge (LAPACK dgelsd info \(info))")
        }
        var solution = Matrix<Double>(rows: p, columns: k)
        for r in 0..<p { for c in 0..<k { solution[r, c] = b[c * leading + r] } }
        return solution
    }
}
