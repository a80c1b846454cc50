import Foundation

/// Where to cut the dendrogram of a layer's neurons.
public enum CutRule: String, Sendable, Codable, CaseIterable {
    /// The paper's rule: the largest number of big clusters, at the top of its first plateau.
    case largestCount = "largest-count"
    /// The largest count k such that at least k big clusters exist over a whole decade of cut
    /// height, cut where exactly k exist nearest the geometric middle of that range (the longest
    /// plateau if no count holds that long). "At least" tolerates the count flickering to k+1 as
    /// loose junk clusters form and dissolve (seen on images, where duplicates spread over
    /// degrees). Duplicates of a teacher
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
            for k in stride(from: runs.map(\.count).max() ?? 0, through: 1, by: -1) {
                // Maximal stretches of consecutive plateaus with count ≥ k.
                var stretches = [[Plateau]]()
                for run in runs {
                    if run.count >= k, let last = stretches.last?.last, last.upper == run.lower {
                        stretches[stretches.count - 1].append(run)
                    } else if run.count >= k {
                        stretches.append([run])
                    }
                }
                let span = { (stretch: [Plateau]) in log(stretch.last!.upper / stretch.first!.lower) }
                guard let stretch = stretches.filter({ span($0) >= log(10) }).max(by: { span($0) < span($1) }) else { continue }
                let middle = (stretch.first!.lower * stretch.last!.upper).squareRoot()
                let exact = stretch.filter { $0.count == k }
                let chosen = exact.min { abs(log(($0.lower * $0.upper).squareRoot() / middle)) < abs(log(($1.lower * $1.upper).squareRoot() / middle)) }!
                return min(max(middle, chosen.lower), chosen.upper.nextDown)
            }
            return runs.max { ($0.logLength, $0.count) < ($1.logLength, $1.count) }.map { ($0.lower * $0.upper).squareRoot() }
        }
    }
}
