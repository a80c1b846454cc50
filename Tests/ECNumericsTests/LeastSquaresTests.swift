import ECCore
import ECNumerics
import Foundation
import Testing
import TestSupport

/// Least squares against numpy.linalg.lstsq, where the normal equations the package used before
/// lose the digits: an ill-conditioned Vandermonde system and a rank-deficient one.
struct LeastSquaresTests {
    /// 40 points on [0, 1], powers 0...11: condition number about 1e8.
    static let vandermonde = Matrix<Double>(rows: 40, columns: 12, scalars: (0..<40).flatMap { r in
        (0..<12).map { c in pow(Double(r) / 39, Double(c)) }
    })

    /// The former solver: normal equations with a ridge of 1e-12 · mean(diag AᵀA), by Cholesky.
    static func normalEquations(_ a: Matrix<Double>, _ y: Matrix<Double>) throws -> Matrix<Double> {
        var gram = a.gram
        let p = a.columns
        let ridge = 1e-12 * (0..<p).reduce(0) { $0 + gram[$1, $1] } / Double(p)
        for i in 0..<p { gram[i, i] += ridge }
        return try Cholesky.solve(gram, a.transposeMultiplied(by: y))
    }

    @Test func illConditionedVandermondeKeepsItsDigits() throws {
        let a = Self.vandermonde
        let coefficients: [Double] = (0..<12).map { k in
            let sign: Double = k % 2 == 0 ? 1 : -1
            return sign * (1 + Double(k) / 10)
        }
        let truth = Matrix(rows: 12, columns: 1, scalars: coefficients)
        let y = a.multipliedByTranspose(of: truth.transposed)
        let reference = try NumPy.evaluate("out = np.linalg.lstsq(a, y, rcond=None)[0]", ["a": a, "y": y])
        let solved = try LeastSquares.solve(a, y)
        #expect(maxRelativeError(solved.scalars, reference, floor: 1) < 1e-7)
        #expect(maxRelativeError(solved.scalars, truth.scalars, floor: 1) < 1e-7)
        // The normal equations square the condition number to 1e16 and miss by far.
        let former = try Self.normalEquations(a, y)
        #expect(maxRelativeError(former.scalars, reference, floor: 1) > 1e-3)
    }

    @Test func rankDeficientFeaturesGetTheMinimumNormSolution() throws {
        var a: Matrix<Double> = randomMatrix(30, 4, seed: 1)
        for r in 0..<a.rows { a[r, 3] = a[r, 0] - 2 * a[r, 1] }   // column 3 adds nothing
        let y: Matrix<Double> = randomMatrix(30, 2, seed: 2)
        let solved = try LeastSquares.solve(a, y)
        let reference = try NumPy.evaluate("out = np.linalg.lstsq(a, y, rcond=None)[0]", ["a": a, "y": y])
        #expect(maxRelativeError(solved.scalars, reference, floor: 1e-3) < 1e-10)
        // Minimum norm: no component along the null vector (1, −2, 0, −1).
        for c in 0..<2 {
            let along = solved[0, c] - 2 * solved[1, c] - solved[3, c]
            #expect(abs(along) < 1e-12, "output \(c): \(along)")
        }
    }

    @Test func wideSystemsAndEmptyOnesWork() throws {
        let a: Matrix<Double> = randomMatrix(3, 5, seed: 3)
        let y: Matrix<Double> = randomMatrix(3, 1, seed: 4)
        let solved = try LeastSquares.solve(a, y)
        let reference = try NumPy.evaluate("out = np.linalg.lstsq(a, y, rcond=None)[0]", ["a": a, "y": y])
        #expect(maxRelativeError(solved.scalars, reference, floor: 1e-3) < 1e-10)
        #expect(try LeastSquares.solve(Matrix(rows: 0, columns: 2), Matrix(rows: 0, columns: 1)).scalars == [0, 0])
    }

    @Test func degenerateInputThrowsInsteadOfCrashing() {
        var a: Matrix<Double> = randomMatrix(5, 2, seed: 5)
        let y: Matrix<Double> = randomMatrix(5, 1, seed: 6)
        #expect(throws: ECError.self) { try LeastSquares.solve(a, Matrix(rows: 4, columns: 1)) }
        a[2, 1] = .nan
        #expect(throws: ECError.self) { try LeastSquares.solve(a, y) }
    }

    @Test func choleskySolvesAndRejectsIndefiniteMatrices() throws {
        let b: Matrix<Double> = randomMatrix(9, 5, seed: 7)
        var spd = b.gram
        for i in 0..<5 { spd[i, i] += 0.1 }
        let rhs: Matrix<Double> = randomMatrix(5, 3, seed: 8)
        let solved = try Cholesky.solve(spd, rhs)
        let reference = try NumPy.evaluate("out = np.linalg.solve(a, b)", ["a": spd, "b": rhs])
        #expect(maxRelativeError(solved.scalars, reference, floor: 1e-3) < 1e-12)
        var indefinite = spd
        indefinite[2, 2] = -1
        #expect(throws: ECError.self) { try Cholesky.solve(indefinite, rhs) }
    }

    @Test func choleskyInPlaceSolvesAndNamesTheFailingMinor() throws {
        let b: Matrix<Double> = randomMatrix(11, 6, seed: 9)
        var spd = b.gram
        for i in 0..<6 { spd[i, i] += 0.1 }
        let rhs: Matrix<Double> = randomMatrix(6, 2, seed: 10)
        var factor = spd.scalars, solution = rhs.transposed.scalars
        #expect(Cholesky.factorAndSolve(&factor, &solution, order: 6, columns: 2) == 0)
        let reference = try NumPy.evaluate("out = np.linalg.solve(a, b).T", ["a": spd, "b": rhs])
        #expect(maxRelativeError(solution, reference, floor: 1e-3) < 1e-12)
        var indefinite = spd
        indefinite[3, 3] = -1
        var again = indefinite.scalars, column = Array(rhs.transposed.scalars[0..<6])
        #expect(Cholesky.factorAndSolve(&again, &column, order: 6, columns: 1) == 4)
    }
}
