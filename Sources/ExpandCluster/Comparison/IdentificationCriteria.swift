/// When a recovered network counts as the teacher identified. Toy teachers are held to exactness:
/// every neuron found, each within 1°. At the scale of images the paper judges by width overhead
/// and typical alignment: pixels that barely vary leave some directions of a neuron unpinned by any
/// probe set, so a worst angle of several degrees is the data's, not the method's (docs/method.md).
public struct IdentificationCriteria: Sendable, Codable, Equatable {
    /// Which criteria these are: "toy" or "large".
    public let name: String
    /// Largest (r̂ − r) / r allowed in a layer; every teacher neuron must be found (r̂ ≥ r) either way.
    public let maximumOverhead: Double
    /// The incoming angle bound, on every neuron (`boundsWorstAngle`) or on each layer's median.
    public let maximumIncomingDegrees: Double
    public let boundsWorstAngle: Bool
    /// Largest MSE / Var(y) on fresh inputs.
    public let maximumRelativeMSE: Double

    /// r̂ = r in every layer, every incoming angle below 1°, MSE/Var(y) below 1e-4.
    public static let toy = IdentificationCriteria(name: "toy", maximumOverhead: 0, maximumIncomingDegrees: 1,
                                                   boundsWorstAngle: true, maximumRelativeMSE: 1e-4)
    /// r ≤ r̂ ≤ 1.1 r in every layer (the paper's MNIST overheads are under 5–10%), each layer's
    /// median incoming angle below 10°, MSE/Var(y) below 1e-3.
    public static let large = IdentificationCriteria(name: "large", maximumOverhead: 0.1, maximumIncomingDegrees: 10,
                                                     boundsWorstAngle: false, maximumRelativeMSE: 1e-3)

    public func met(by layers: [LayerComparison], relativeMSE: Double) -> Bool {
        layers.allSatisfy { layer in
            layer.recoveredWidth >= layer.teacherWidth && layer.overhead <= maximumOverhead
                && (boundsWorstAngle ? layer.incoming.worstDegrees : layer.incoming.medianDegrees) < maximumIncomingDegrees
        } && relativeMSE < maximumRelativeMSE
    }

    /// The criteria in words, for a result's verdict line.
    public var description: String {
        let widths = maximumOverhead == 0 ? "r̂ = r in every layer" : "r ≤ r̂ ≤ \(compactLabel(1 + maximumOverhead)) r in every layer"
        let angle = boundsWorstAngle ? "every incoming angle" : "every layer's median incoming angle"
        return "\(name) criteria: \(widths), \(angle) < \(compactLabel(maximumIncomingDegrees))°, MSE/Var(y) < \(compactLabel(maximumRelativeMSE))"
    }
}
