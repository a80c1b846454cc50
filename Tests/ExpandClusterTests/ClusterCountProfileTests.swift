import ECCore
import ExpandCluster
import Testing

struct ClusterCountProfileTests {
    /// Five tight blobs of 20 points (points 0..<100, blob = point / 20), far apart, then
    /// `noise` points scattered over a much larger box.
    private func plantedBlobs(noise: Int, seed: UInt64) -> Matrix<Double> {
        var random = RandomSource(seed: seed)
        let dimension = 10
        let centres = (0..<5).map { _ in (0..<dimension).map { _ in 3 * random.normal() } }
        var rows = [[Double]]()
        for centre in centres {
            for _ in 0..<20 { rows.append(centre.map { $0 + 0.05 * random.normal() }) }
        }
        for _ in 0..<noise { rows.append((0..<dimension).map { _ in random.uniform(-10, 10) }) }
        return Matrix(rowArrays: rows)
    }

    /// The count of big clusters at one cut, straight from the labels.
    private func bruteForceCount(_ dendrogram: Dendrogram, cutAt height: Double, minimum: Int,
                                 groupOfPoint: [Int]) -> Int {
        var groupsOfLabel = [Int: Set<Int>]()
        for (point, label) in dendrogram.labels(cutAt: height).enumerated() {
            groupsOfLabel[label, default: []].insert(groupOfPoint[point])
        }
        return groupsOfLabel.values.filter { $0.count >= minimum }.count
    }

    private func expectProfileMatchesEveryCut(_ profile: ClusterCountProfile, _ dendrogram: Dendrogram,
                                              minimum: Int, groupOfPoint: [Int]) {
        for step in profile.steps {
            let height = step.height == -.infinity ? -1 : step.height
            #expect(step.count == bruteForceCount(dendrogram, cutAt: height, minimum: minimum, groupOfPoint: groupOfPoint))
            #expect(profile.count(cutAt: height) == step.count)
        }
        #expect(profile.steps.map(\.height) == [-.infinity] + Set(dendrogram.merges.map(\.height)).sorted())
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func countOfBigClustersPeaksAtThePlantedBlobs(seed: UInt64) throws {
        let dendrogram = Dendrogram(averageLinkageOf: try CondensedDistances(
            euclideanBetweenRowsOf: plantedBlobs(noise: 30, seed: seed)))
        let profile = dendrogram.clusterCountProfile(minimumSize: 10)
        expectProfileMatchesEveryCut(profile, dendrogram, minimum: 10, groupOfPoint: Array(0..<130))
        #expect(profile.largestCount == 5)
        let plateau = profile.firstPlateauOfLargestCount
        // Blob diameters are about 0.3 and blob separations about 13: the plateau spans the gap.
        #expect(plateau.lowerBound < 1)
        for height in stride(from: 1.0, through: 5.0, by: 0.25) { #expect(profile.count(cutAt: height) == 5) }
        // The top of the plateau keeps each blob together and the blobs apart.
        let labels = dendrogram.labels(cutAt: plateau.upperBound)
        for blob in 0..<5 {
            #expect(Set(labels[(blob * 20)..<(blob * 20 + 20)]).count == 1)
        }
        #expect(Set((0..<5).map { labels[$0 * 20] }).count == 5)
        #expect(dendrogram.clusterSizes(cutAt: plateau.upperBound).filter { $0 >= 10 }.count == 5)
    }

    @Test(arguments: [UInt64(4), 5])
    func distinctGroupsDiscountRepeatsFromOneGroup(seed: UInt64) throws {
        let dendrogram = Dendrogram(averageLinkageOf: try CondensedDistances(
            euclideanBetweenRowsOf: plantedBlobs(noise: 20, seed: seed)))
        // Blobs 0-2 draw their 20 points from 20 groups; blobs 3 and 4 from only 3 groups each.
        var random = RandomSource(seed: seed)
        let groupOfPoint = (0..<120).map { point in
            point >= 100 ? Int(random.next() % 20) : (point < 60 ? point % 20 : point % 3)
        }
        let byGroups = try dendrogram.clusterCountProfile(minimumGroups: 10, groupOfPoint: groupOfPoint)
        expectProfileMatchesEveryCut(byGroups, dendrogram, minimum: 10, groupOfPoint: groupOfPoint)
        #expect(byGroups.largestCount == 3)
        #expect(byGroups.count(cutAt: 2) == 3)
        #expect(dendrogram.clusterCountProfile(minimumSize: 10).count(cutAt: 2) == 5)
        // With every point its own group, distinct groups are members.
        let bySize = dendrogram.clusterCountProfile(minimumSize: 7)
        #expect(try dendrogram.clusterCountProfile(minimumGroups: 7, groupOfPoint: Array(0..<120)) == bySize)
        #expect(throws: ECError.self) { try dendrogram.clusterCountProfile(minimumGroups: 2, groupOfPoint: [0]) }
    }

    @Test func tiedMergesFormOneStep() throws {
        let merge = Dendrogram.Merge.init(clusterA:clusterB:height:size:)
        let dendrogram = try Dendrogram(leafCount: 5, merges: [
            merge(0, 1, 1, 2), merge(2, 3, 1, 2), merge(5, 6, 2, 4), merge(4, 7, 3, 5),
        ])
        #expect(dendrogram.labels(cutAt: 0.5) == [0, 1, 2, 3, 4])
        #expect(dendrogram.labels(cutAt: 1) == [0, 0, 1, 1, 2])
        #expect(dendrogram.labels(cutAt: 2.5) == [0, 0, 0, 0, 1])
        #expect(dendrogram.labels(clusterCount: 4) == [0, 0, 1, 2, 3])
        #expect(dendrogram.clusterSizes(cutAt: 1) == [2, 2, 1])
        #expect(dendrogram.clusterSizes(cutAt: 9) == [5])
        let pairs = dendrogram.clusterCountProfile(minimumSize: 2)
        #expect(pairs.steps == [.init(height: -.infinity, count: 0), .init(height: 1, count: 2),
                                .init(height: 2, count: 1), .init(height: 3, count: 1)])
        #expect(pairs.firstPlateauOfLargestCount == 1...1)
        #expect(pairs.count(cutAt: 0.99) == 0 && pairs.count(cutAt: 1) == 2 && pairs.count(cutAt: 1e9) == 1)
        // Counting every cluster: the most clusters are before any merge.
        let all = dendrogram.clusterCountProfile(minimumSize: 1)
        #expect(all.steps.map(\.count) == [5, 3, 2, 1])
        #expect(all.firstPlateauOfLargestCount == -Double.infinity...(-Double.infinity))
    }
}
