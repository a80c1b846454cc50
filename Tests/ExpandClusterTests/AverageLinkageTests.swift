import ECCore
import ExpandCluster
import Testing

struct AverageLinkageTests {
    @Test(arguments: [(2, 1), (3, 2), (10, 3), (37, 4), (60, 5), (60, 6), (60, 7), (45, 8)])
    func nearestNeighbourChainMatchesPrimitiveUPGMA(count: Int, seed: UInt64) throws {
        let distances = try CondensedDistances(euclideanBetweenRowsOf: randomPoints(count, dimension: 3, seed: seed))
        let square = squareDistances(distances)
        let dendrogram = Dendrogram(averageLinkageOf: distances)
        expectSameHierarchy(dendrogram, naiveAverageLinkage(square))
        expectValidAverageLinkage(dendrogram, square)
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func duplicatePointsMergeFirstAndLeaveTheRestUnchanged(seed: UInt64) throws {
        // Exact duplicates tie at height 0; every order of those merges leads to the same levels above.
        let points = randomPoints(50, dimension: 4, seed: seed, duplicates: 15)
        let distances = try CondensedDistances(euclideanBetweenRowsOf: points)
        let square = squareDistances(distances)
        let dendrogram = Dendrogram(averageLinkageOf: distances)
        let zeroMerges = dendrogram.merges.prefix { $0.height == 0 }.count
        #expect(zeroMerges == 15)
        expectSameHierarchy(dendrogram, naiveAverageLinkage(square))
        expectValidAverageLinkage(dendrogram, square)
    }

    @Test(arguments: [UInt64(21), 22, 23, 24])
    func tiedDistancesGiveAValidUPGMATree(seed: UInt64) throws {
        // Points on a small integer grid: many equal distances, where the tree depends on how ties
        // are broken, so check that each merge is one the primitive algorithm could make.
        var random = RandomSource(seed: seed)
        let grid = Matrix(rowArrays: (0..<40).map { _ in (0..<2).map { _ in Double(random.next() % 4) } })
        let gridDistances = try CondensedDistances(euclideanBetweenRowsOf: grid)
        expectValidAverageLinkage(Dendrogram(averageLinkageOf: gridDistances), squareDistances(gridDistances))
        // Small integer distances that need not be Euclidean at all.
        let integers = try CondensedDistances(count: 30, values: (0..<435).map { _ in Float(1 + random.next() % 3) })
        expectValidAverageLinkage(Dendrogram(averageLinkageOf: integers), squareDistances(integers))
    }

    @Test func mergesFollowTheLinkageMatrixConvention() throws {
        let distances = try CondensedDistances(euclideanBetweenRowsOf: randomPoints(40, dimension: 2, seed: 31))
        let dendrogram = Dendrogram(averageLinkageOf: distances)
        // The validating initialiser checks ids, sizes and height order.
        #expect(try Dendrogram(leafCount: 40, merges: dendrogram.merges) == dendrogram)
        #expect(dendrogram.merges.last?.size == 40)
        #expect(dendrogram.merges.allSatisfy { $0.clusterA < $0.clusterB })
        // Four points on a line: {0,1} at 1, {2,3} at 2, then the two pairs at their mean distance.
        let line = try CondensedDistances(euclideanBetweenRowsOf: Matrix(rowArrays: [[0], [1], [10], [12]]))
        #expect(Dendrogram(averageLinkageOf: line).merges == [
            .init(clusterA: 0, clusterB: 1, height: 1, size: 2),
            .init(clusterA: 2, clusterB: 3, height: 2, size: 2),
            .init(clusterA: 4, clusterB: 5, height: 10.5, size: 4),
        ])
    }

    @Test func degenerateSizes() throws {
        for count in 0...1 {
            let dendrogram = Dendrogram(averageLinkageOf: try CondensedDistances(count: count, values: []))
            #expect(dendrogram.leafCount == count && dendrogram.merges.isEmpty)
            #expect(dendrogram.labels(cutAt: 1) == Array(repeating: 0, count: count))
        }
    }

    @Test func inconsistentLinkageMatricesAreRejected() {
        let merge = Dendrogram.Merge.init(clusterA:clusterB:height:size:)
        #expect(throws: ECError.self) { try Dendrogram(leafCount: 3, merges: [merge(0, 1, 1, 2)]) }
        #expect(throws: ECError.self) { try Dendrogram(leafCount: 3, merges: [merge(0, 1, 1, 2), merge(1, 2, 2, 2)]) }
        #expect(throws: ECError.self) { try Dendrogram(leafCount: 3, merges: [merge(0, 1, 1, 2), merge(2, 3, 2, 2)]) }
        #expect(throws: ECError.self) { try Dendrogram(leafCount: 3, merges: [merge(0, 1, 2, 2), merge(2, 3, 1, 3)]) }
        #expect(throws: ECError.self) { try Dendrogram(leafCount: 3, merges: [merge(0, 1, 1, 2), merge(2, 4, 2, 3)]) }
        #expect((try? Dendrogram(leafCount: 3, merges: [merge(0, 1, 1, 2), merge(2, 3, 2, 3)])) != nil)
    }
}
