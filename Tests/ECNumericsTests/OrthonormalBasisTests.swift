import ECCore
import ECNumerics
import Testing
import TestSupport

/// The incremental basis against NumPy's QR of the columns it accepted: the same span, the same
/// residuals, and columns inside the span (to 1e-8 of their norm) add nothing.
struct OrthonormalBasisTests {
    @Test func spanAndResidualsMatchNumPyQR() throws {
        let n = 50
        let c: Matrix<Double> = randomMatrix(4, n, seed: 21)   // rows: four independent columns
        let noise: Matrix<Double> = randomMatrix(1, n, seed: 22)
        let column = { (k: Int) in Array(c.row(k)) }
        // Inside the span up to 1e-10 of its norm: rejected.
        let inside = (0..<n).map { c[0, $0] + 2 * c[2, $0] + 1e-10 * noise[0, $0] }
        // Outside by 1e-6 of its norm: kept.
        let outside = (0..<n).map { c[1, $0] - c[0, $0] + 1e-6 * noise[0, $0] }
        var basis = OrthonormalBasis(length: n)
        let added = [column(0), column(1), column(2), inside, [Double](repeating: 0, count: n), outside].map { basis.add($0) }
        #expect(added == [true, true, true, false, false, true])
        #expect(basis.count == 4)

        let q = basis.directions
        let identity = (0..<16).map { $0 % 5 == 0 ? 1.0 : 0 }
        #expect(maxRelativeError(q.multipliedByTranspose(of: q).scalars, identity, floor: 1) < 1e-12)

        let accepted = Matrix(rowArrays: [column(0), column(1), column(2), outside]).transposed
        let y: Matrix<Double> = randomMatrix(n, 3, seed: 23)
        let projector = try NumPy.evaluate("q, _ = np.linalg.qr(a)\nout = q @ q.T", ["a": accepted])
        #expect(maxRelativeError(q.transposeMultiplied(by: q).scalars, projector, floor: 1) < 1e-8)
        let residual = try NumPy.evaluate("q, _ = np.linalg.qr(a[:, :3])\nout = y - q @ (q.T @ y)", ["a": accepted, "y": y])
        var first = OrthonormalBasis(length: n)
        for k in 0..<3 { first.add(column(k)) }
        #expect(maxRelativeError(first.residual(of: y).scalars, residual, floor: 1) < 1e-12)
        // Removing one direction at a time is the same projection.
        let stepwise = (0..<3).reduce(y) { OrthonormalBasis.removing(Array(first.directions.row($1)), from: $0) }
        #expect(maxRelativeError(stepwise.scalars, residual, floor: 1) < 1e-12)
    }
}
