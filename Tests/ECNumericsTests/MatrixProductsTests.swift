import ECCore
import Testing
import TestSupport

/// AᵀB and AᵀA through BLAS transpose flags against a plain float64 triple loop.
struct MatrixProductsTests {
    static func loop(_ a: Matrix<Double>, _ b: Matrix<Double>) -> [Double] {
        var out = [Double](repeating: 0, count: a.columns * b.columns)
        for i in 0..<a.columns { for j in 0..<b.columns {
            var sum = 0.0
            for r in 0..<a.rows { sum += a[r, i] * b[r, j] }
            out[i * b.columns + j] = sum
        } }
        return out
    }

    @Test func transposeProductAndGramMatchALoop() {
        let a: Matrix<Double> = randomMatrix(37, 5, seed: 31)
        let b: Matrix<Double> = randomMatrix(37, 3, seed: 32)
        let product = a.transposeMultiplied(by: b)
        #expect(product.rows == 5 && product.columns == 3)
        #expect(maxRelativeError(product.scalars, Self.loop(a, b), floor: 1) < 1e-14)
        let gram = a.gram
        #expect(maxRelativeError(gram.scalars, Self.loop(a, a), floor: 1) < 1e-14)
        #expect(gram == gram.transposed)
        let single: Matrix<Float> = randomMatrix(37, 5, seed: 31)
        #expect(maxRelativeError(single.transposeMultiplied(by: single).scalars, Self.loop(a, a), floor: 1) < 1e-5)
        #expect(Matrix<Double>(rows: 0, columns: 2).gram.scalars == [0, 0, 0, 0])
    }
}
