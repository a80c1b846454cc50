import ECDistributed

/// Where the ranks of an MPI job ran, and what they exchanged: the report's record of a run
/// shared across processes.
public struct RankReport: Sendable, Codable, Equatable {
    public struct Placement: Sendable, Codable, Equatable {
        public let rank: Int
        public let host: String
        public let device: String
    }

    public let count: Int
    public let placements: [Placement]
    /// Bytes rank 0 received from the others (students, optimiser states, losses): the run's
    /// communication.
    public let bytesReceivedByRank0: Int
    /// Seconds rank 0 spent in collectives, waiting for slower ranks included.
    public let secondsCommunicatingByRank0: Double

    /// Every rank's host and `device`, gathered on every rank (all ranks call it); nil for one
    /// process.
    public static func gather(_ ranks: Ranks, device: String) throws -> RankReport? {
        guard ranks.size > 1 else { return nil }
        let (bytes, seconds) = (ranks.bytesReceived, ranks.secondsCommunicating)
        let hosts = try ranks.allGather(text: ranks.host), devices = try ranks.allGather(text: device)
        return RankReport(count: ranks.size,
                          placements: (0..<ranks.size).map { Placement(rank: $0, host: hosts[$0], device: devices[$0]) },
                          bytesReceivedByRank0: bytes, secondsCommunicatingByRank0: seconds)
    }

    /// "2 MPI ranks: 0 on node1, 1 on node2" (hosts with several ranks listed once).
    public var summary: String {
        var byHost = [(host: String, ranks: [Int])]()
        for p in placements {
            if let i = byHost.firstIndex(where: { $0.host == p.host }) { byHost[i].ranks.append(p.rank) } else { byHost.append((p.host, [p.rank])) }
        }
        let hosts = byHost.map { "\($0.ranks.count == 1 ? "rank" : "ranks") \($0.ranks.map(String.init).joined(separator: ",")) on \($0.host)" }
        return "\(count) MPI ranks: " + hosts.joined(separator: "; ")
    }
}
