import ECCore
import Foundation

/// One hidden layer of one student, as the clustering sees it.
public struct StudentLayerView: Sendable {
    public let student: Int
    /// Incoming weights [width, inputs] in the inputs' common basis, and biases.
    public let incoming: Matrix<Double>
    public let bias: [Double]
    /// Outgoing weights [next width, width].
    public let outgoing: Matrix<Double>
    /// Per neuron: ‖outgoing column‖ · standard deviation of its activation over the probe set.
    public let contributions: [Double]

    public init(student: Int, incoming: Matrix<Double>, bias: [Double], outgoing: Matrix<Double>, contributions: [Double]) {
        self.student = student
        self.incoming = incoming
        self.bias = bias
        self.outgoing = outgoing
        self.contributions = contributions
    }
}

/// A neuron of a student.
public struct NeuronReference: Sendable, Codable, Hashable {
    public let student: Int
    public let neuron: Int
}

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
}

extension LayerClusteringResult {
    /// Clusters the neurons of one hidden layer of all `students` (those with a finite loss),
    /// best student first in `lossOrder`.
    public static func cluster(layer: Int, students: [StudentLayerView], losses: [Double],
                               symmetry: SymmetryClass, inputMask: [Bool]?,
                               options: ClusteringOptions) throws -> LayerClusteringResult {
        let participating = students.filter { losses[$0.student].isFinite }
        let minimumStudents = max(1, Int((options.gamma * Double(participating.count)).rounded(.down)))
        let includeBias = options.includeBias ?? symmetry.allowsPositiveScaling
        let columns = inputMask.map { mask in mask.indices.filter { mask[$0] } }

        // Gather the non-negligible neurons as unit vectors.
        var references = [NeuronReference](), vectors = [Double](), contributions = [Double]()
        var candidates = 0
        for view in participating {
            let largest = view.contributions.max() ?? 0
            for j in 0..<view.incoming.rows {
                candidates += 1
                guard view.contributions[j] > options.negligibleContribution * largest else { continue }
                var v = (columns ?? Array(0..<view.incoming.columns)).map { view.incoming[j, $0] }
                if includeBias { v.append(view.bias[j]) }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0 else { continue }
                vectors += v.map { $0 / norm }
                references.append(NeuronReference(student: view.student, neuron: j))
                contributions.append(view.contributions[j])
            }
        }
        let empty = LayerClusteringResult(layer: layer, candidateNeurons: candidates,
                                          negligibleNeurons: candidates - references.count,
                                          minimumStudents: minimumStudents, cutHeight: nil, profile: nil,
                                          clusters: [], representatives: [], assignment: [:])
        guard references.count >= 2 else { return empty }
        let dimension = vectors.count / references.count
        let points = Matrix(rows: references.count, columns: dimension, scalars: vectors)

        let tree = Dendrogram(averageLinkageOf: try CondensedDistances(
            euclideanBetweenRowsOf: points, signInvariant: symmetry.allowsSignFlip))
        let profile = try tree.clusterCountProfile(minimumGroups: minimumStudents,
                                                   groupOfPoint: references.map(\.student))
        // Chord length of the angle β between unit vectors: no cut looser than that.
        let ceiling = 2 * sin(options.betaDegrees * .pi / 360)
        guard let cut = profile.cutHeight(rule: options.cutRule, ceiling: ceiling) else {
            return LayerClusteringResult(layer: layer, candidateNeurons: candidates,
                                         negligibleNeurons: candidates - references.count,
                                         minimumStudents: minimumStudents, cutHeight: nil, profile: profile,
                                         clusters: [], representatives: [], assignment: [:])
        }

        let labels = tree.labels(cutAt: cut)
        var membersOfLabel = [Int: [Int]]()
        for (point, label) in labels.enumerated() { membersOfLabel[label, default: []].append(point) }
        let rank = Dictionary(uniqueKeysWithValues: participating.map(\.student)
            .sorted { losses[$0] < losses[$1] }.enumerated().map { ($1, $0) })
        let maximumDistance = 1 - cos(options.betaDegrees * .pi / 180)

        var summaries = [(summary: ClusterSummary, members: [Int])]()
        for members in membersOfLabel.values where members.count >= 2 {
            let studentsHere = Set(members.map { references[$0].student })
            let spread = medianPairwiseCosineDistance(members, points, signInvariant: symmetry.allowsSignFlip)
            let bestStudent = studentsHere.min { rank[$0]! < rank[$1]! }!
            let representative = members.filter { references[$0].student == bestStudent }
                .max { contributions[$0] < contributions[$1] }!
            let reason: String? = studentsHere.count < minimumStudents
                ? "too few students (\(studentsHere.count) < \(minimumStudents))"
                : spread > maximumDistance ? "too loose (median angle above \(options.betaDegrees)°)" : nil
            summaries.append((ClusterSummary(members: members.count, students: studentsHere.count,
                                             medianCosineDistance: spread, representative: references[representative],
                                             kept: reason == nil, dropReason: reason), members))
        }
        summaries.sort { ($0.summary.kept ? 1 : 0, $0.summary.members) > ($1.summary.kept ? 1 : 0, $1.summary.members) }

        var assignment = [NeuronReference: (neuron: Int, sign: Double)]()
        var representatives = [NeuronReference]()
        for (summary, members) in summaries where summary.kept {
            let index = representatives.count
            let repPoint = references.firstIndex(of: summary.representative)!
            representatives.append(summary.representative)
            for m in members {
                var dot = 0.0
                for k in 0..<dimension { dot += points[m, k] * points[repPoint, k] }
                assignment[references[m]] = (index, symmetry.allowsSignFlip && dot < 0 ? -1 : 1)
            }
        }
        return LayerClusteringResult(layer: layer, candidateNeurons: candidates,
                                     negligibleNeurons: candidates - references.count,
                                     minimumStudents: minimumStudents, cutHeight: cut, profile: profile,
                                     clusters: summaries.map(\.summary), representatives: representatives,
                                     assignment: assignment)
    }

    /// Median of 1 − cos over pairs of members (of at most 64 members, evenly sampled).
    private static func medianPairwiseCosineDistance(_ members: [Int], _ points: Matrix<Double>,
                                                     signInvariant: Bool) -> Double {
        let step = max(1, members.count / 64)
        let sample = stride(from: 0, to: members.count, by: step).map { members[$0] }
        var distances = [Double]()
        for a in 0..<sample.count {
            for b in (a + 1)..<sample.count {
                var dot = 0.0
                for k in 0..<points.columns { dot += points[sample[a], k] * points[sample[b], k] }
                distances.append(1 - (signInvariant ? abs(dot) : dot))
            }
        }
        return median(distances)
    }
}
