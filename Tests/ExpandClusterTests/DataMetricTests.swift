import ECCore
import ExpandCluster
import Testing
import TestSupport

/// The data metric is the square root of the inputs' covariance (or, for [w; b], of the second
/// moment of [x; 1]), against scipy.linalg.sqrtm.
struct DataMetricTests {
    static let inputs: Matrix<Double> = {
        var x: Matrix<Double> = randomMatrix(300, 4, seed: 61)
        // Correlated columns of different spreads, off-centre.
        for r in 0..<x.rows {
            x[r, 1] = 0.5 * x[r, 0] + 0.1 * x[r, 1] + 2
            x[r, 3] *= 3
        }
        return x
    }()

    @Test func rootOfTheCovariance() throws {
        let metric = try DataMetric(inputs: Self.inputs, affine: false)
        let reference = try NumPy.evaluate("out = np.real(scipy.linalg.sqrtm(np.cov(x.T, bias=True)))", ["x": Self.inputs])
        #expect(maxRelativeError(metric.root.scalars, reference, floor: 1) < 1e-11)
    }

    @Test func rootOfTheAffineSecondMoment() throws {
        let metric = try DataMetric(inputs: Self.inputs, affine: true)
        let reference = try NumPy.evaluate("""
        z = np.hstack([x, np.ones((x.shape[0], 1))])
        out = np.real(scipy.linalg.sqrtm(z.T @ z / x.shape[0]))
        """, ["x": Self.inputs])
        #expect(maxRelativeError(metric.root.scalars, reference, floor: 1) < 1e-11)
    }
}
