import ECCore
import ECNumerics
import Foundation

/// Distances between neurons as the data sees them. A neuron's pre-activation over the probe set
/// is z = w·x + b; two incoming vectors are the same neuron when they give the same z, and the
/// data only pin w down along the directions in which the inputs vary. In raw coordinates every
/// direction counts equally, so on images (784 pixels, many nearly constant) the copies of one
/// teacher neuron in different students disagree by tens of degrees along directions the data
/// never probe. Mapping w to S·w with S = C^½ (C the covariance of the layer's inputs; for [w; b]
/// the second moment of [x; 1]) makes Euclidean angles angles between pre-activations. For
/// Gaussian N(0, I) probes S ≈ I.
public struct DataMetric: Sendable {
    /// S [k, k], symmetric.
    public let root: Matrix<Double>

    /// The metric of `inputs` [n, k]: the centred covariance, or, with `affine`, the second
    /// moment of the inputs with a constant 1 appended (for [w; b]).
    public init(inputs: Matrix<Double>, affine: Bool) throws {
        let n = inputs.rows, k = inputs.columns + (affine ? 1 : 0)
        var data = Matrix<Double>(rows: n, columns: k)
        let means = affine ? [Double](repeating: 0, count: inputs.columns) : inputs.columnMeans
        for r in 0..<n {
            for c in 0..<inputs.columns { data[r, c] = inputs[r, c] - means[c] }
            if affine { data[r, k - 1] = 1 }
        }
        var moment = data.gram   // XᵀX [k, k]
        for i in moment.scalars.indices { moment.scalars[i] /= Double(max(n, 1)) }
        root = try SymmetricEigen.squareRoot(of: moment)
    }

    /// S·v for each row v of `vectors` [m, k].
    public func apply(_ vectors: Matrix<Double>) -> Matrix<Double> {
        vectors.multipliedByTranspose(of: root)
    }
}
