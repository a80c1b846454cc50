import ECCore

/// A binary merge tree over M points, in SciPy's linkage-matrix convention: point i is cluster i,
/// and merge k creates cluster M + k from two existing clusters. Merges are in non-decreasing
/// order of height, so any prefix of them is a valid flat clustering.
public struct Dendrogram: Sendable, Equatable {
    /// One row of the linkage matrix.
    public struct Merge: Sendable, Equatable {
        /// The smaller of the two cluster ids joined.
        public var clusterA: Int
        /// The larger of the two cluster ids joined.
        public var clusterB: Int
        /// The linkage distance between the two clusters.
        public var height: Double
        /// The number of points in the new cluster.
        public var size: Int

        public init(clusterA: Int, clusterB: Int, height: Double, size: Int) {
            self.clusterA = clusterA
            self.clusterB = clusterB
            self.height = height
            self.size = size
        }
    }

    /// The number of points M.
    public let leafCount: Int
    /// The M − 1 merges (none when M ≤ 1), by non-decreasing height.
    public let merges: [Merge]

    /// A dendrogram from a linkage matrix (e.g. SciPy's Z), checked for consistency.
    /// - Throws: `ECError.invalidArgument` when the merges do not form one tree over the points
    ///   with consistent sizes and non-decreasing, non-NaN heights.
    public init(leafCount: Int, merges: [Merge]) throws {
        guard leafCount >= 0, merges.count == max(leafCount - 1, 0) else {
            throw ECError.invalidArgument("dendrogram: \(merges.count) merges for \(leafCount) points")
        }
        var sizes = Array(repeating: 1, count: leafCount)
        var used = Array(repeating: false, count: leafCount)
        for (k, merge) in merges.enumerated() {
            let ids = [merge.clusterA, merge.clusterB]
            guard merge.clusterA < merge.clusterB, ids.allSatisfy({ $0 >= 0 && $0 < leafCount + k && !used[$0] }),
                  merge.size == sizes[merge.clusterA] + sizes[merge.clusterB],
                  !merge.height.isNaN, k == 0 || merge.height >= merges[k - 1].height else {
                throw ECError.invalidArgument("dendrogram: merge \(k) \(merge) is inconsistent")
            }
            used[merge.clusterA] = true
            used[merge.clusterB] = true
            sizes.append(merge.size)
            used.append(false)
        }
        self.leafCount = leafCount
        self.merges = merges
    }

    /// Builds the dendrogram from merges recorded as (slot, slot, height) in the order an
    /// agglomerative algorithm made them, where a slot is a point index that stands for the
    /// cluster containing it at that moment. Sorts them stably by height and renames the slots
    /// to cluster ids, as SciPy's `linkage` does after its nearest-neighbour chain.
    ///
    /// Stability keeps every merge after the merges that built its two clusters, given that no
    /// merge is lower than its children (true of any reducible linkage such as average).
    init(leafCount: Int, slotMerges: [(slotA: Int, slotB: Int, height: Double)]) {
        let order = slotMerges.indices.sorted {
            (slotMerges[$0].height, $0) < (slotMerges[$1].height, $1)
        }
        var sets = UnionFind(count: leafCount)
        var clusterOfRoot = Array(0..<leafCount)
        var sizeOfCluster = Array(repeating: 1, count: leafCount)
        var merges = [Merge]()
        merges.reserveCapacity(slotMerges.count)
        for (k, index) in order.enumerated() {
            let (slotA, slotB, height) = slotMerges[index]
            let idA = clusterOfRoot[sets.find(slotA)], idB = clusterOfRoot[sets.find(slotB)]
            let size = sizeOfCluster[idA] + sizeOfCluster[idB]
            merges.append(Merge(clusterA: min(idA, idB), clusterB: max(idA, idB), height: height, size: size))
            clusterOfRoot[sets.union(slotA, slotB)] = leafCount + k
            sizeOfCluster.append(size)
        }
        self.leafCount = leafCount
        self.merges = merges
    }
}

extension Dendrogram {
    /// Flat cluster labels when only the first `mergeCount` merges are applied: for each point
    /// a label in 0..<(M − mergeCount), numbered in order of first appearance.
    public func labels(afterMerges mergeCount: Int) -> [Int] {
        precondition(mergeCount >= 0 && mergeCount <= merges.count,
                     "dendrogram: \(mergeCount) merges requested of \(merges.count)")
        var sets = UnionFind(count: leafCount)
        // Each cluster id's representative point; merging two clusters unites their points.
        var pointOfCluster = Array(0..<leafCount)
        for merge in merges[..<mergeCount] {
            pointOfCluster.append(sets.union(pointOfCluster[merge.clusterA], pointOfCluster[merge.clusterB]))
        }
        var labelOfRoot = Array(repeating: -1, count: leafCount)
        var next = 0
        return (0..<leafCount).map { point in
            let root = sets.find(point)
            if labelOfRoot[root] < 0 {
                labelOfRoot[root] = next
                next += 1
            }
            return labelOfRoot[root]
        }
    }

    /// Flat cluster labels for `clusterCount` clusters (SciPy's `fcluster(Z, k, 'maxclust')`
    /// when no merges tie in height).
    public func labels(clusterCount: Int) -> [Int] {
        labels(afterMerges: leafCount - clusterCount)
    }

    /// The number of merges with height ≤ `height`: the merges a cut at that height applies.
    public func mergeCount(cutAt height: Double) -> Int {
        var low = 0, high = merges.count
        while low < high {
            let middle = (low + high) / 2
            if merges[middle].height <= height { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Flat clusters from cutting the tree at `height`: two points share a label when merges of
    /// height ≤ `height` join them (SciPy's `fcluster(Z, height, 'distance')`). Labels are
    /// 0..<k in order of first appearance.
    public func labels(cutAt height: Double) -> [Int] {
        labels(afterMerges: mergeCount(cutAt: height))
    }

    /// The number of points in each flat cluster of the cut at `height`, indexed by the labels
    /// of `labels(cutAt:)`.
    public func clusterSizes(cutAt height: Double) -> [Int] {
        let labels = labels(cutAt: height)
        var sizes = Array(repeating: 0, count: (labels.max() ?? -1) + 1)
        for label in labels { sizes[label] += 1 }
        return sizes
    }
}
