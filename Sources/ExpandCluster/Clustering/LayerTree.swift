import ECCore
import ECEngine
import Foundation

/// The dendrogram of one hidden layer's neurons across students, ready to be cut.
public struct LayerTree: Sendable {
    public let layer: Int
    public let candidateNeurons: Int
    public let minimumStudents: Int
    /// The neurons clustered (non-negligible, of students with a finite loss), as unit vectors.
    let references: [NeuronReference]
    let points: Matrix<Double>
    /// Per point: the norm of its clustered vector before normalising, its outgoing weights,
    /// and the standard deviation of its activation over the probe sample.
    let norms: [Double]
    let outgoing: [[Double]]
    let spreads: [Double]
    let tree: Dendrogram?
    public let profile: ClusterCountProfile?
    let symmetry: SymmetryClass
    let options: ClusteringOptions
    /// Student rank by loss, best first.
    let rank: [Int: Int]

    /// Builds the tree of hidden layer `layer` of `students`. With `layerInputs` (the layer's
    /// inputs on a sample of the probe set) and `options.dataMetric`, angles are measured in the
    /// data's metric (see `DataMetric`).
    public init(layer: Int, students: [StudentLayerView], losses: [Double], symmetry: SymmetryClass,
                inputMask: [Bool]?, options: ClusteringOptions, layerInputs: Matrix<Double>? = nil) throws {
        let participating = students.filter { losses[$0.student].isFinite }
        let minimumStudents = max(1, Int((options.gamma * Double(participating.count)).rounded(.down)))
        let includeBias = options.includeBias ?? symmetry.allowsPositiveScaling
        let columns = inputMask.map { mask in mask.indices.filter { mask[$0] } }

        let metric = try layerInputs.flatMap { inputs -> DataMetric? in
            guard options.dataMetric else { return nil }
            return try DataMetric(inputs: columns.map { inputs.transposed.rows($0).transposed } ?? inputs, affine: includeBias)
        }
        // Gather the non-negligible neurons as unit vectors.
        var references = [NeuronReference](), vectors = [Double](), norms = [Double]()
        var outgoing = [[Double]](), spreads = [Double]()
        var candidates = 0
        for view in participating {
            let largest = view.contributions.max() ?? 0
            for j in 0..<view.incoming.rows {
                candidates += 1
                guard view.contributions[j] > options.negligibleContribution * largest else { continue }
                var v = (columns ?? Array(0..<view.incoming.columns)).map { view.incoming[j, $0] }
                if includeBias { v.append(view.bias[j]) }
                if let metric { v = metric.apply(Matrix(rows: 1, columns: v.count, scalars: v)).scalars }
                let norm = v.euclideanNorm
                guard norm > 0 else { continue }
                vectors += v.map { $0 / norm }
                references.append(NeuronReference(student: view.student, neuron: j))
                norms.append(norm)
                let column = (0..<view.outgoing.rows).map { view.outgoing[$0, j] }
                outgoing.append(column)
                let columnNorm = column.euclideanNorm
                spreads.append(columnNorm > 0 ? view.contributions[j] / columnNorm : 0)
            }
        }
        self.layer = layer
        self.candidateNeurons = candidates
        self.minimumStudents = minimumStudents
        self.references = references
        self.norms = norms
        self.outgoing = outgoing
        self.spreads = spreads
        self.symmetry = symmetry
        self.options = options
        rank = Dictionary(uniqueKeysWithValues: participating.map(\.student)
            .sorted { losses[$0] < losses[$1] }.enumerated().map { ($1, $0) })
        let dimension = references.isEmpty ? 0 : vectors.count / references.count
        points = Matrix(rows: references.count, columns: dimension, scalars: vectors)
        if references.count >= 2 {
            let tree = Dendrogram(averageLinkageOf: try CondensedDistances(
                euclideanBetweenRowsOf: points, signInvariant: symmetry.allowsSignFlip))
            self.tree = tree
            profile = try tree.clusterCountProfile(minimumGroups: minimumStudents, groupOfPoint: references.map(\.student))
        } else {
            tree = nil
            profile = nil
        }
    }

    /// Chord length between unit vectors at the angle β: no cut looser than that.
    public var ceiling: Double { 2 * sin(options.betaDegrees * .pi / 360) }

    /// The cut the rule chooses; nil for an empty profile.
    public var ruleCut: Double? {
        profile?.cutHeight(rule: options.cutRule, ceiling: ceiling)
    }

    /// The flat clusters of a cut at `height`, filtered by size (at least `minimumStudents`
    /// students, ⌊γN⌋ unless given) and looseness.
    public func cut(at height: Double?, minimumStudents: Int? = nil) -> LayerClusteringResult {
        let minimumStudents = minimumStudents ?? self.minimumStudents
        let negligible = candidateNeurons - references.count
        guard let tree, let height else {
            return LayerClusteringResult(layer: layer, candidateNeurons: candidateNeurons, negligibleNeurons: negligible,
                                         minimumStudents: minimumStudents, cutHeight: nil, profile: profile,
                                         clusters: [], representatives: [], assignment: [:])
        }
        let labels = tree.labels(cutAt: height)
        var membersOfLabel = [Int: [Int]]()
        for (point, label) in labels.enumerated() { membersOfLabel[label, default: []].append(point) }
        let maximumDistance = 1 - cos(options.betaDegrees * .pi / 180)

        var summaries = [(summary: ClusterSummary, members: [Int])]()
        for members in membersOfLabel.values where members.count >= 2 {
            let studentsHere = Set(members.map { references[$0].student })
            let spread = medianPairwiseCosineDistance(members)
            let bestStudent = studentsHere.min { rank[$0]! < rank[$1]! }!
            let representative = strongestNeuron(members.filter { references[$0].student == bestStudent })
            let reason: String? = studentsHere.count < minimumStudents
                ? "too few students (\(studentsHere.count) < \(minimumStudents))"
                : spread > maximumDistance ? "too loose (median angle above \(options.betaDegrees)°)" : nil
            summaries.append((ClusterSummary(members: members.count, students: studentsHere.count,
                                             medianCosineDistance: spread, representative: references[representative],
                                             kept: reason == nil, dropReason: reason), members))
        }
        // Kept first, then larger and tighter; ties by the first member, so that the order (and the
        // recovered network's neuron order) is the same in every process, whatever its hash seed.
        summaries.sort { ($0.summary.kept ? 1 : 0, $0.summary.members, -$0.summary.medianCosineDistance, -$0.members[0])
            > ($1.summary.kept ? 1 : 0, $1.summary.members, -$1.summary.medianCosineDistance, -$1.members[0]) }

        var assignment = [NeuronReference: (neuron: Int, sign: Double)]()
        var representatives = [NeuronReference]()
        for (summary, members) in summaries where summary.kept {
            let index = representatives.count
            let repPoint = references.firstIndex(of: summary.representative)!
            representatives.append(summary.representative)
            for m in members {
                var dot = 0.0
                for k in 0..<points.columns { dot += points[m, k] * points[repPoint, k] }
                assignment[references[m]] = (index, symmetry.allowsSignFlip && dot < 0 ? -1 : 1)
            }
        }
        return LayerClusteringResult(layer: layer, candidateNeurons: candidateNeurons, negligibleNeurons: negligible,
                                     minimumStudents: minimumStudents, cutHeight: height, profile: profile,
                                     clusters: summaries.map(\.summary), representatives: representatives,
                                     assignment: assignment)
    }

    /// The member that carries the most of the cluster's output in its student. Identical neurons
    /// (same incoming vector, up to the class's sign and scale) act as one, with their outgoing
    /// weights summed; a group whose weights cancel carries nothing even when each member's
    /// weights are large. (Well-trained students do hold such cancelling groups, sometimes along
    /// a teacher neuron's very direction.)
    private func strongestNeuron(_ members: [Int]) -> Int {
        func dot(_ a: Int, _ b: Int) -> Double {
            var sum = 0.0
            for k in 0..<points.columns { sum += points[a, k] * points[b, k] }
            return sum
        }
        return members.max { netContribution(of: $0, among: members, dot: dot) < netContribution(of: $1, among: members, dot: dot) }!
    }

    private func netContribution(of m: Int, among members: [Int], dot: (Int, Int) -> Double) -> Double {
        var net = [Double](repeating: 0, count: outgoing[m].count)
        for other in members {
            let cosine = dot(m, other)
            guard abs(cosine) > 1 - 1e-9 else { continue }
            let sign: Double = cosine < 0 ? -1 : 1
            if sign < 0 && !symmetry.allowsSignFlip { continue }
            let sameScale = abs(norms[other] - norms[m]) <= 1e-6 * norms[m]
            guard sameScale || symmetry.allowsPositiveScaling else { continue }
            let factor = Reconstruction.memberFactor(sign: sign, memberNorm: norms[other], representativeNorm: norms[m],
                                                     symmetry: symmetry)
            for o in net.indices { net[o] += factor * outgoing[other][o] }
        }
        return net.euclideanNorm * spreads[m]
    }

    /// Median of 1 − cos over pairs of members (of at most 64 members, evenly sampled).
    private func medianPairwiseCosineDistance(_ members: [Int]) -> Double {
        let step = max(1, members.count / 64)
        let sample = stride(from: 0, to: members.count, by: step).map { members[$0] }
        var distances = [Double]()
        for a in 0..<sample.count {
            for b in (a + 1)..<sample.count {
                var dot = 0.0
                for k in 0..<points.columns { dot += points[sample[a], k] * points[sample[b], k] }
                distances.append(1 - (symmetry.allowsSignFlip ? abs(dot) : dot))
            }
        }
        return median(distances)
    }
}

extension LayerTree {
    /// Hidden layer `layer` (from 0) of `bank` as step 2 clusters it, with each student's view of
    /// the layer (contributions measured on `sample`); the input mask applies to the first layer
    /// only. The cluster stop rule builds its checks here too, so that they see what step 2 will.
    static func ofLayer(_ layer: Int, of bank: StudentBank<Double>, losses: [Double], sample: Matrix<Double>,
                        layerInputs: Matrix<Double>, symmetry: SymmetryClass, inputMask: [Bool]?,
                        options: ClusteringOptions) throws -> (tree: LayerTree, views: [StudentLayerView]) {
        let views = StudentLayerView.views(of: bank, layer: layer, sample: sample)
        let tree = try LayerTree(layer: layer, students: views, losses: losses, symmetry: symmetry,
                                 inputMask: layer == 0 ? inputMask : nil, options: options, layerInputs: layerInputs)
        return (tree, views)
    }
}
