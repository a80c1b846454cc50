import ECDistributed
import Testing

/// The one-process side of `Ranks` (a plain run never touches MPI); the collectives across
/// processes are tested under mpirun by ecTests.MPITests.
struct RanksTests {
    /// Shares cover every student once, in order, and differ by at most one, the first ranks
    /// taking the extra ones (4 students on 3 ranks: 2, 1, 1).
    @Test(arguments: [(4, 3), (10, 4), (7, 7), (100, 8), (3, 2)])
    func sharesSplitTheStudentsContiguously(students: Int, ranks: Int) throws {
        let shares = (0..<ranks).map { Ranks.share(of: students, among: ranks, rank: $0) }
        #expect(shares.first?.lowerBound == 0 && shares.last?.upperBound == students)
        #expect(zip(shares, shares.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        let sizes = shares.map(\.count)
        #expect(sizes == sizes.sorted(by: >) && sizes.max()! - sizes.min()! <= 1)
    }

    @Test func aPlainRunIsOneRankWhoseCollectivesReturnTheirInput() throws {
        let single = try Ranks.world
        #expect(single.rank == 0 && single.size == 1 && single.isRoot && !Ranks.isRunning)
        #expect(single.share(of: 5) == 0..<5)
        #expect(try single.allGather([1.5, 2.5]) == [1.5, 2.5])
        #expect(try single.maximum([3, 1]) == [3, 1])
        #expect(try single.rootValue { ["a"] } == ["a"])
        #expect(single.bytesReceived == 0)
    }
}
