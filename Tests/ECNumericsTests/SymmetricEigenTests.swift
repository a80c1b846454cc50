import ECCore
import ECNumerics
import Testing
import TestSupport

/// The eigendecomposition against numpy.linalg.eigh and the PSD square root against
/// scipy.linalg.sqrtm.
struct SymmetricEigenTests {
    static func symmetric(_ k: Int, seed: UInt64) -> Matrix<Double> {
        let b: Matrix<Double> = randomMatrix(k, k, seed: seed)
        var s = b
        for i in 0..<k { for j in 0..<k { s[i, j] = b[i, j] + b[j, i] } }
        return s
    }

    @Test func eigenvaluesAndVectorsMatchNumPy() throws {
        let a = Self.symmetric(7, seed: 11)
        let eigen = try SymmetricEigen(a)
        let reference = try NumPy.evaluate("out = np.linalg.eigvalsh(a)", ["a": a])
        #expect(maxRelativeError(eigen.values, reference, floor: 1) < 1e-13)
        // Qᵀ·Λ·Q rebuilds A, and the rows are orthonormal.
        var scaled = eigen.vectors
        for j in 0..<7 { for i in 0..<7 { scaled[j, i] *= eigen.values[j] } }
        #expect(maxRelativeError(eigen.vectors.transposeMultiplied(by: scaled).scalars, a.scalars, floor: 1) < 1e-13)
        let identity = Matrix<Double>(rows: 7, columns: 7, scalars: (0..<49).map { $0 % 8 == 0 ? 1 : 0 })
        #expect(maxRelativeError(eigen.vectors.multipliedByTranspose(of: eigen.vectors).scalars, identity.scalars, floor: 1) < 1e-14)
    }

    @Test func squareRootMatchesSciPy() throws {
        let b: Matrix<Double> = randomMatrix(20, 6, seed: 12)
        let spd = b.gram
        let root = try SymmetricEigen.squareRoot(of: spd)
        let reference = try NumPy.evaluate("out = np.real(scipy.linalg.sqrtm(a))", ["a": spd])
        #expect(maxRelativeError(root.scalars, reference, floor: 1) < 1e-11)
    }

    @Test func squareRootOfASingularMatrixSquaresBack() throws {
        let b: Matrix<Double> = randomMatrix(3, 6, seed: 13)
        let psd = b.gram   // rank 3 of 6
        let root = try SymmetricEigen.squareRoot(of: psd)
        #expect(root == root.transposed)
        #expect(maxRelativeError(root.multipliedByTranspose(of: root).scalars, psd.scalars, floor: 1) < 1e-12)
        #expect(try SymmetricEigen(root).values.allSatisfy { $0 > -1e-12 })
    }

    @Test func degenerateInputThrowsInsteadOfCrashing() {
        var a = Self.symmetric(3, seed: 14)
        #expect(throws: ECError.self) { try SymmetricEigen(Matrix(rows: 2, columns: 3)) }
        a[1, 1] = .infinity
        #expect(throws: ECError.self) { try SymmetricEigen(a) }
    }
}
