import ECCore
import ECEngine
import Foundation

/// Everything a person or a program wants to know about an identification run; written as
/// report.json.
public struct IdentifyReport: Sendable, Codable {
    public var options: IdentifyOptions
    /// `options.recipeDescription`: what the run trained with, in one line.
    public var recipe: String
    public var rho: Double
    public var pilots: [PilotResult]
    public var studentWidths: [Int]
    /// Input coordinates that clustering and comparison used: all unless `options.inputMask` drops some.
    public var keptInputs: Int?
    /// Each expanded student's final MSE / Var(y).
    public var studentRelativeLosses: [Double]
    public var expansionEpochs: Int
    public var layers: [LayerReport]
    public var recoveredWidths: [Int]
    public var assembledRelativeLoss: Double?
    /// MSE / Var(y) of the recovered network on the probe set after fine-tuning.
    public var finalRelativeLoss: Double
    public var finalEpochs: Int
    public var phaseSeconds: [String: Double]
    public var lossCurves: LossCurves
    public var comparison: NetworkComparison?
    public var device: String
    /// The process's peak resident memory, and the most device memory held at once (OpenCL).
    public var peakHostMemoryBytes: Int?
    public var peakDeviceMemoryBytes: Int?
    /// Set when the recovered network is an exact student reduced, not the clusters' network
    /// (see `Identification`); the layer reports still describe the clustering.
    public var reducedStudent: StudentReduction?
    /// The ranks of the MPI job that ran it; nil for one process.
    public var ranks: RankReport?
}

/// An expanded student that reproduced the probe set exactly, and the neurons the exact-fit
/// elimination took from it.
public struct StudentReduction: Sendable, Codable, Equatable {
    /// Index of the student in students.safetensors.
    public let student: Int
    /// Its hidden widths before the reduction.
    public let widths: [Int]
    /// Per hidden layer, the indices of its neurons removed.
    public let removed: [[Int]]
}

/// The clustering of one hidden layer, for the report.
public struct LayerReport: Sendable, Codable {
    public let layer: Int
    public let candidateNeurons: Int
    public let negligibleNeurons: Int
    public let minimumStudents: Int
    /// Cut height (chord between unit vectors) and the angle it corresponds to.
    public let cutHeight: Double?
    public let cutDegrees: Double?
    /// The number of big clusters against the cut height: [height, count] pairs.
    public let profile: [[Double]]
    public let clusters: [ClusterSummary]
    /// The clustering's neurons and the grown ones.
    public private(set) var recoveredWidth: Int
    /// Neurons taken before fine-tuning from clusters of fewer than ⌊γN⌋ students, because the
    /// students' next layer reads them (see `SpanGrowth`): those clusters' representatives. They
    /// follow the clustering's neurons.
    public private(set) var grown: [NeuronReference] = []
    /// Median over the better half of the students (by loss) of the share of their next layer's
    /// input that the rebuilt layer leaves unexplained: with the clustering's neurons, then with
    /// the grown ones (absent for the last hidden layer, where it is not measured).
    public private(set) var unexplainedShare: [Double]?
    /// Recovered neurons removed after fine-tuning because they carried nothing, in any round of
    /// `NeuronPruning` (numbered: the clustering's neurons, then the grown ones).
    public var pruned: [Int] = []
    /// In runs without polishing, those folded into a near-duplicate twin (see
    /// `DuplicateFolding`), numbered as `pruned`.
    public var duplicates: [Int] = []
    /// Then those the network fitted the probe sample as well without (see `NeuronPruning`),
    /// numbered as `pruned`.
    public var unneeded: [Int] = []
    /// Neurons added after polishing, from clusters of fewer than ⌊γN⌋ students, because the
    /// network became exact only with them (see `ExactFitRefinement`); they are appended after
    /// the neurons that remain from the clustering.
    public var added = 0
    /// Recovered neurons removed after polishing because the exact network did not need them.
    /// Indices count the neurons left after `pruned`, then the added ones: an index of
    /// `recoveredWidth − pruned.count` or more is an added neuron.
    public var redundant: [Int] = []

    enum CodingKeys: String, CodingKey {
        case layer, candidateNeurons, negligibleNeurons, minimumStudents, cutHeight, cutDegrees, profile, clusters
        case recoveredWidth, grown, unexplainedShare, pruned, duplicates, unneeded, added, redundant
    }

    /// Reads report.json; what came after the clustering (grown, unexplainedShare, pruned,
    /// duplicates, unneeded, added, redundant) may be absent.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layer = try c.decode(Int.self, forKey: .layer)
        candidateNeurons = try c.decode(Int.self, forKey: .candidateNeurons)
        negligibleNeurons = try c.decode(Int.self, forKey: .negligibleNeurons)
        minimumStudents = try c.decode(Int.self, forKey: .minimumStudents)
        cutHeight = try c.decodeIfPresent(Double.self, forKey: .cutHeight)
        cutDegrees = try c.decodeIfPresent(Double.self, forKey: .cutDegrees)
        profile = try c.decode([[Double]].self, forKey: .profile)
        clusters = try c.decode([ClusterSummary].self, forKey: .clusters)
        recoveredWidth = try c.decode(Int.self, forKey: .recoveredWidth)
        grown = try c.decodeIfPresent([NeuronReference].self, forKey: .grown) ?? []
        unexplainedShare = try c.decodeIfPresent([Double].self, forKey: .unexplainedShare)
        pruned = try c.decodeIfPresent([Int].self, forKey: .pruned) ?? []
        duplicates = try c.decodeIfPresent([Int].self, forKey: .duplicates) ?? []
        unneeded = try c.decodeIfPresent([Int].self, forKey: .unneeded) ?? []
        added = try c.decodeIfPresent(Int.self, forKey: .added) ?? 0
        redundant = try c.decodeIfPresent([Int].self, forKey: .redundant) ?? []
    }

    init(_ result: LayerClusteringResult) {
        layer = result.layer
        candidateNeurons = result.candidateNeurons
        negligibleNeurons = result.negligibleNeurons
        minimumStudents = result.minimumStudents
        cutHeight = result.cutHeight
        cutDegrees = result.cutHeight.map { VectorAngle(chord: $0).degrees }
        profile = (result.profile?.steps ?? []).filter { $0.height.isFinite }.map { [$0.height, Double($0.count)] }
        clusters = result.clusters
        recoveredWidth = result.recoveredWidth
    }

    mutating func record(_ growth: SpanGrowth.Outcome) {
        grown = growth.added
        recoveredWidth += growth.added.count
        unexplainedShare = [growth.shareBefore, growth.shareAfter]
    }
}

/// Per-student loss curves of the expansion, thinned to at most ~300 epochs on a log scale.
public struct LossCurves: Sendable, Codable {
    public let epochs: [Int]
    /// [student][point] MSE / Var(y).
    public let relativeLosses: [[Double]]

    init(_ log: [EpochRecord], variance: Double) {
        var picked = [Int]()
        var next = 1.0
        for (i, record) in log.enumerated() where Double(record.epoch) >= next || i == log.count - 1 {
            picked.append(i)
            next = max(next * 1.03, Double(record.epoch) + 1)
        }
        epochs = picked.map { log[$0].epoch }
        let students = log.first?.losses.count ?? 0
        relativeLosses = (0..<students).map { s in picked.map { log[$0].losses[s] / variance } }
    }
}
