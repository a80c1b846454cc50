import ECCore
import ExpandCluster
import Testing
import TestSupport

struct SciPyLinkageTests {
    /// Cut heights halfway between consecutive distinct merge heights, where float rounding
    /// cannot move a merge across the cut, plus one below all merges and one above.
    private func cutHeights(_ heights: [Double]) -> [Double] {
        var cuts = [-1.0, heights.last! + 1]
        for (low, high) in zip(heights, heights.dropFirst()) where high - low > 1e-4 * high {
            cuts.append((low + high) / 2)
        }
        return cuts
    }

    @Test(arguments: [(150, 4, 0, UInt64(1)), (200, 20, 0, 2), (120, 3, 30, 3), (80, 785, 10, 4)])
    func agreesWithSciPy(count: Int, dimension: Int, duplicates: Int, seed: UInt64) throws {
        let points = randomPoints(count, dimension: dimension, seed: seed, duplicates: duplicates)
        let dendrogram = Dendrogram(averageLinkageOf: try CondensedDistances(euclideanBetweenRowsOf: points))
        let scipyHeights = try SciPyReference.averageLinkage(points: (0..<count).map { Array(points.row($0)) },
                                                             cuts: []).linkage.map { $0[2] }
        let cuts = cutHeights(scipyHeights)
        let scipy = try SciPyReference.averageLinkage(points: (0..<count).map { Array(points.row($0)) }, cuts: cuts)

        #expect(maxRelativeError(dendrogram.merges.map(\.height), scipyHeights, floor: 1e-6) < 1e-5)
        #expect(cuts.count > count / 2)
        for (cut, labels) in zip(cuts, scipy.labels) {
            #expect(dendrogram.labels(cutAt: cut) == canonicalLabels(labels), "cut at \(cut)")
        }
        // Without ties the linkage matrices agree entry for entry, cluster ids included.
        if duplicates == 0 {
            let rows = dendrogram.merges.map { [Double($0.clusterA), Double($0.clusterB), Double($0.size)] }
            #expect(rows == scipy.linkage.map { [$0[0], $0[1], $0[3]] })
        }
    }
}
