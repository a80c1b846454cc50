import ECCore
import ExpandCluster
import Testing

// Textbook references the fast clustering code is checked against: direct from the
// definitions, with no shared code and no attention to speed.

/// Points with standard normal coordinates, optionally with some rows repeated exactly.
func randomPoints(_ count: Int, dimension: Int, seed: UInt64, duplicates: Int = 0) -> Matrix<Double> {
    var random = RandomSource(seed: seed)
    var rows = (0..<(count - duplicates)).map { _ in (0..<dimension).map { _ in random.normal() } }
    for _ in 0..<duplicates { rows.append(rows[Int(random.next() % UInt64(rows.count))]) }
    return Matrix(rowArrays: rows)
}

/// The full symmetric distance matrix behind condensed distances.
func squareDistances(_ condensed: CondensedDistances) -> [[Double]] {
    (0..<condensed.count).map { i in (0..<condensed.count).map { j in Double(condensed[i, j]) } }
}

/// Labels renumbered 0, 1, ... in order of first appearance, so that equal partitions compare equal.
func canonicalLabels(_ labels: [Int]) -> [Int] {
    var renamed = [Int: Int]()
    return labels.map { label in
        if let known = renamed[label] { return known }
        renamed[label] = renamed.count
        return renamed.count - 1
    }
}

/// The mean distance over all pairs of points across two clusters: the UPGMA linkage by definition.
func averageLinkage(_ a: [Int], _ b: [Int], _ distance: [[Double]]) -> Double {
    var sum = 0.0
    for i in a { for j in b { sum += distance[i][j] } }
    return sum / Double(a.count * b.count)
}

/// UPGMA as the primitive algorithm: repeatedly join the two clusters with the smallest average
/// linkage. Returns each merge's height and the partition after it.
func naiveAverageLinkage(_ distance: [[Double]]) -> [(height: Double, labels: [Int])] {
    var clusters = distance.indices.map { [$0] }
    var steps = [(height: Double, labels: [Int])]()
    while clusters.count > 1 {
        var best = (a: 0, b: 1, height: Double.infinity)
        for a in clusters.indices {
            for b in (a + 1)..<clusters.count {
                let height = averageLinkage(clusters[a], clusters[b], distance)
                if height < best.height { best = (a, b, height) }
            }
        }
        clusters[best.a] += clusters[best.b]
        clusters.remove(at: best.b)
        var labels = Array(repeating: 0, count: distance.count)
        for (label, members) in clusters.enumerated() { for point in members { labels[point] = label } }
        steps.append((best.height, canonicalLabels(labels)))
    }
    return steps
}

/// Expects the dendrogram to have the reference's merge heights and, at every level that a cut
/// can separate from the next one, the same partition.
func expectSameHierarchy(_ dendrogram: Dendrogram, _ reference: [(height: Double, labels: [Int])],
                         tolerance: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(dendrogram.merges.count == reference.count, sourceLocation: sourceLocation)
    guard dendrogram.merges.count == reference.count else { return }
    for (k, (merge, step)) in zip(dendrogram.merges, reference).enumerated() {
        #expect(abs(merge.height - step.height) <= tolerance * max(step.height, 1e-3),
                "merge \(k): height \(merge.height) vs \(step.height)", sourceLocation: sourceLocation)
        let separated = k + 1 == reference.count
            || reference[k + 1].height - step.height > 2 * tolerance * max(step.height, 1e-3)
        if separated {
            #expect(dendrogram.labels(afterMerges: k + 1) == step.labels,
                    "partition after merge \(k) at height \(step.height)", sourceLocation: sourceLocation)
        }
    }
}

/// Expects every merge, in order, to join two clusters whose average linkage (from the original
/// distances) is the recorded height and as small as that of any pair of clusters present then:
/// the dendrogram is one that the primitive algorithm can produce, whichever way it breaks ties.
func expectValidAverageLinkage(_ dendrogram: Dendrogram, _ distance: [[Double]], tolerance: Double = 1e-5,
                               sourceLocation: SourceLocation = #_sourceLocation) {
    var membersOfCluster = distance.indices.map { [$0] }
    var present = Set(distance.indices)
    for (k, merge) in dendrogram.merges.enumerated() {
        let slack = tolerance * max(merge.height, 1e-3)
        let joined = averageLinkage(membersOfCluster[merge.clusterA], membersOfCluster[merge.clusterB], distance)
        #expect(abs(joined - merge.height) <= slack, "merge \(k) joins clusters at \(joined), records \(merge.height)",
                sourceLocation: sourceLocation)
        let sorted = present.sorted()
        var smallest = Double.infinity
        for (p, a) in sorted.enumerated() {
            for b in sorted[(p + 1)...] {
                smallest = min(smallest, averageLinkage(membersOfCluster[a], membersOfCluster[b], distance))
            }
        }
        #expect(merge.height <= smallest + slack, "merge \(k) at \(merge.height) while a pair is at \(smallest)",
                sourceLocation: sourceLocation)
        present.subtract([merge.clusterA, merge.clusterB])
        present.insert(membersOfCluster.count)
        membersOfCluster.append(membersOfCluster[merge.clusterA] + membersOfCluster[merge.clusterB])
    }
}
