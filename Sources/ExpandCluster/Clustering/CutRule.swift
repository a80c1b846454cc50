import Foundation

/// Where to cut the dendrogram of a layer's neurons.
public enum CutRule: String, Sendable, Codable, CaseIterable {
    /// The paper's rule: the largest number of big clusters, at the top of its first plateau.
    case largestCount = "largest-count"
    /// The largest count that holds over at least a decade of cut height, cut in the geometric
    /// middle of its range (the longest plateau if none holds that long). Duplicates of a teacher
    /// neuron sit within a small angle of each other and far from everything else, so the true
    /// count holds over decades of height; counts that only hold briefly (clusters still forming,
    /// or junk merging at large heights) are passed over. Taking the largest stable count rather
    /// than the longest plateau matters when some teacher neurons are pinned down more loosely
    /// than others (ReLU kinks can move between data points), which leaves a long early plateau
    /// with only the exactly duplicated neurons merged.
    case stablePlateau = "stable-plateau"
}

extension ClusterCountProfile {
    /// A constant run of the profile: the count for every cut in `lower..<upper`.
    public struct Plateau: Sendable, Equatable, Codable {
        public let count: Int
        public let lower: Double
        public let upper: Double
        /// log(upper / lower), the plateau's length on a log scale.
        public var logLength: Double { log(upper / lower) }
    }

    /// The runs of equal non-zero count, clipped to [floor, ceiling].
    public func plateaus(floor: Double, ceiling: Double) -> [Plateau] {
        var runs = [Plateau]()
        var k = 0
        while k < steps.count {
            var next = k + 1
            while next < steps.count && steps[next].count == steps[k].count { next += 1 }
            let lower = Swift.max(steps[k].height, floor)
            let upper = Swift.min(next < steps.count ? steps[next].height : .infinity, ceiling)
            if steps[k].count > 0, upper > lower { runs.append(Plateau(count: steps[k].count, lower: lower, upper: upper)) }
            k = next
        }
        return runs
    }

    /// The cut height `rule` chooses, with cuts above `ceiling` not considered; nil when no cut
    /// leaves a big cluster.
    public func cutHeight(rule: CutRule, ceiling: Double) -> Double? {
        let floor = 1e-9 * ceiling
        let runs = plateaus(floor: floor, ceiling: ceiling)
        switch rule {
        case .largestCount:
            guard let best = runs.map(\.count).max() else { return nil }
            // The top of the first plateau: its last cut height, just below the next merge.
            return runs.first { $0.count == best }.map { $0.upper == ceiling ? ceiling : $0.upper.nextDown }
        case .stablePlateau:
            let stable = runs.filter { $0.logLength >= log(10) }
            let best = stable.isEmpty
                ? runs.max { ($0.logLength, $0.count) < ($1.logLength, $1.count) }
                : stable.max { ($0.count, $0.logLength) < ($1.count, $1.logLength) }
            return best.map { ($0.lower * $0.upper).squareRoot() }
        }
    }
}
