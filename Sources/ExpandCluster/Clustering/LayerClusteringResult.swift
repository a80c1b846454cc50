import ECCore
import Foundation

/// One flat cluster of the cut and what became of it.
public struct ClusterSummary: Sendable, Codable, Equatable {
    public let members: Int
    public let students: Int
    /// Median over member pairs of 1 − cos (1 − |cos| where the class allows a flip).
    public let medianCosineDistance: Double
    /// The neuron that gives the reconstruction its incoming vector: the member with the largest
    /// contribution in the best-loss student that has members here.
    public let representative: NeuronReference
    public let kept: Bool
    /// Why a cluster was dropped ("too few students", "too loose").
    public let dropReason: String?
}

/// The outcome of clustering one hidden layer across students.
public struct LayerClusteringResult: Sendable {
    public let layer: Int
    /// Neurons of participating students, and how many of them were left out as negligible.
    public let candidateNeurons: Int
    public let negligibleNeurons: Int
    public let minimumStudents: Int
    public let cutHeight: Double?
    public let profile: ClusterCountProfile?
    /// All flat clusters with at least two members, biggest first.
    public let clusters: [ClusterSummary]
    /// The kept clusters' representatives, in the order of the reconstructed neurons.
    public let representatives: [NeuronReference]
    /// For every (student, neuron): the reconstructed neuron it belongs to, if any, and its sign
    /// relative to that neuron's representative (−1 for a flipped duplicate).
    public let assignment: [NeuronReference: (neuron: Int, sign: Double)]

    public var recoveredWidth: Int { representatives.count }

    /// The same cut with only the reconstructed neurons `indices`, renumbered in that order.
    func restricted(to indices: [Int]) -> LayerClusteringResult {
        let renumbered = Dictionary(uniqueKeysWithValues: indices.enumerated().map { ($1, $0) })
        return LayerClusteringResult(
            layer: layer, candidateNeurons: candidateNeurons, negligibleNeurons: negligibleNeurons,
            minimumStudents: minimumStudents, cutHeight: cutHeight, profile: profile, clusters: clusters,
            representatives: indices.map { representatives[$0] },
            assignment: assignment.compactMapValues { entry in renumbered[entry.neuron].map { ($0, entry.sign) } })
    }
}
