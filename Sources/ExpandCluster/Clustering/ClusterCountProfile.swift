import ECCore

/// The number of "big" clusters a cut of a dendrogram leaves, as an exact step function of the
/// cut height. Expand-and-Cluster cuts where the number of clusters with at least ⌊γN⌋ members
/// (or members from ⌊γN⌋ distinct students) is largest; this gives that count at every height
/// at once.
public struct ClusterCountProfile: Sendable, Equatable {
    /// The count for cuts from `height` up to (not including) the next step's height.
    public struct Step: Sendable, Equatable {
        public var height: Double
        public var count: Int

        public init(height: Double, count: Int) {
            self.height = height
            self.count = count
        }
    }

    /// The first step has height −∞ (no merge applied); then one step per distinct merge height,
    /// increasing.
    public let steps: [Step]

    /// The count for a cut at `height` (merges with height ≤ `height` applied).
    public func count(cutAt height: Double) -> Int {
        var low = 1, high = steps.count
        while low < high {
            let middle = (low + high) / 2
            if steps[middle].height <= height { low = middle + 1 } else { high = middle }
        }
        return steps[low - 1].count
    }

    /// The largest count over all cut heights.
    public var largestCount: Int {
        steps.map(\.count).max()!
    }

    /// The first run of consecutive steps whose count is `largestCount`, as the heights of its
    /// first and last steps. Every cut from the lower bound up to just below the next step gives
    /// that count; the upper bound is the top of the plateau, the cut that keeps the count while
    /// letting its clusters grow the most. The lower bound is −∞ when no merge is needed.
    public var firstPlateauOfLargestCount: ClosedRange<Double> {
        let best = largestCount
        let first = steps.firstIndex { $0.count == best }!
        var last = first
        while last + 1 < steps.count && steps[last + 1].count == best { last += 1 }
        return steps[first].height...steps[last].height
    }
}

extension Dendrogram {
    /// How many clusters with at least `minimumSize` points each cut height leaves; one pass
    /// over the merges.
    public func clusterCountProfile(minimumSize: Int) -> ClusterCountProfile {
        let sizes = Array(repeating: 1, count: leafCount) + merges.map(\.size)
        return clusterCountProfile(measures: sizes, threshold: minimumSize)
    }

    /// How many clusters whose points come from at least `minimumGroups` distinct groups each
    /// cut height leaves: with one group per student, a cluster counts when enough students
    /// contributed a neuron to it, however many duplicates any one of them brought.
    ///
    /// The distinct groups of every cluster come from merging per-cluster group sets, the
    /// smaller into the larger, so each group id is inserted O(log M) times in all.
    /// - Parameter groupOfPoint: the group of each point, `leafCount` entries.
    /// - Throws: `ECError.shapeMismatch` when `groupOfPoint` does not have one entry per point.
    public func clusterCountProfile(minimumGroups: Int, groupOfPoint: [Int]) throws -> ClusterCountProfile {
        guard groupOfPoint.count == leafCount else {
            throw ECError.shapeMismatch("cluster groups: \(groupOfPoint.count) group ids for \(leafCount) points")
        }
        var groupsOfCluster: [Set<Int>] = groupOfPoint.map { [$0] }
        var distinctGroups = Array(repeating: 1, count: leafCount)
        distinctGroups.reserveCapacity(2 * leafCount)
        groupsOfCluster.reserveCapacity(2 * leafCount)
        for merge in merges {
            // Take both sets out so that the larger one is uniquely referenced and grows in place.
            var larger = groupsOfCluster[merge.clusterA], smaller = groupsOfCluster[merge.clusterB]
            groupsOfCluster[merge.clusterA] = []
            groupsOfCluster[merge.clusterB] = []
            if larger.count < smaller.count { swap(&larger, &smaller) }
            larger.formUnion(smaller)
            distinctGroups.append(larger.count)
            groupsOfCluster.append(larger)
        }
        return clusterCountProfile(measures: distinctGroups, threshold: minimumGroups)
    }

    /// The step function of the number of clusters whose measure (indexed by cluster id) is at
    /// least `threshold`: each merge retires two clusters and creates one.
    private func clusterCountProfile(measures: [Int], threshold: Int) -> ClusterCountProfile {
        var count = measures[..<leafCount].reduce(0) { $0 + ($1 >= threshold ? 1 : 0) }
        var steps = [ClusterCountProfile.Step(height: -.infinity, count: count)]
        for (k, merge) in merges.enumerated() {
            if measures[merge.clusterA] >= threshold { count -= 1 }
            if measures[merge.clusterB] >= threshold { count -= 1 }
            if measures[leafCount + k] >= threshold { count += 1 }
            // Merges of equal height are applied together by any cut, so they make one step.
            if k + 1 == merges.count || merges[k + 1].height != merge.height {
                steps.append(ClusterCountProfile.Step(height: merge.height, count: count))
            }
        }
        return ClusterCountProfile(steps: steps)
    }
}
