import ECDistributed
import ECFormats
import Foundation

/// How the ranks of an MPI job share the suite's problems: rank 0 keeps a desk, a thread that
/// hands out the next problem to whichever rank asks (a rank that finishes takes the next one)
/// and is the only writer of the results, so that results.jsonl stays one whole line per problem
/// and is written as soon as a result arrives. In a one-process run the desk is a counter and
/// results are recorded directly.
final class SuiteDesk: @unchecked Sendable {
    private let ranks: Ranks
    private let count: Int
    private let record: (SuiteResult) throws -> Void
    /// Rank 0's desk thread: ends when every rank has closed; its first failure is kept here.
    private let deskEnded = DispatchSemaphore(value: 0)
    private var deskError: Error?
    private var nextLocal = 0

    private enum Kind: UInt8 { case next = 1, result, closed }
    private static let deskTag: Int32 = 71, replyTag: Int32 = 72

    /// A desk for `count` problems (numbered from 0); `record` is called with each result, on
    /// rank 0 only.
    init(ranks: Ranks, count: Int, record: @escaping (SuiteResult) throws -> Void) {
        self.ranks = ranks
        self.count = count
        self.record = record
        if ranks.size > 1 && ranks.isRoot {
            Thread.detachNewThread { [self] in serve() }
        }
    }

    /// The next problem for this rank; nil when none is left.
    func takeNext() throws -> Int? {
        guard ranks.size > 1 else {
            defer { nextLocal += 1 }
            return nextLocal < count ? nextLocal : nil
        }
        try ranks.send([Kind.next.rawValue], to: 0, tag: Self.deskTag)
        let reply = try ranks.receive(tag: Self.replyTag).bytes
        let index = reply.withUnsafeBytes { Int($0.loadUnaligned(as: Int64.self)) }
        return index < count ? index : nil
    }

    /// Records `result` (on rank 0, through the desk).
    func hand(_ result: SuiteResult) throws {
        guard ranks.size > 1 else { return try record(result) }
        try ranks.send([Kind.result.rawValue] + Array(try JSONEncoder.forLines.encode(result)), to: 0, tag: Self.deskTag)
    }

    /// Tells the desk this rank takes no more problems; on rank 0, waits until every rank has
    /// said so and every result is written, and throws what failed at the desk.
    func close() throws {
        guard ranks.size > 1 else { return }
        try ranks.send([Kind.closed.rawValue], to: 0, tag: Self.deskTag)
        guard ranks.isRoot else { return }
        deskEnded.wait()
        if let deskError { throw deskError }
    }

    /// Rank 0's desk: after a failure (a full disk) it hands out no more problems, so the ranks
    /// finish what they hold and close.
    private func serve() {
        var next = 0, open = ranks.size
        while open > 0 {
            do {
                // Polled, so that the desk does not take a core from rank 0's own problem.
                let (source, message) = try ranks.receive(tag: Self.deskTag, polling: 0.01)
                switch Kind(rawValue: message.first ?? 0) {
                case .next:
                    let index = Int64(deskError == nil ? next : count)
                    next += 1
                    try ranks.send(withUnsafeBytes(of: index) { Array($0) }, to: source, tag: Self.replyTag)
                case .result where deskError == nil:
                    try record(try JSONDecoder.forFiles.decode(SuiteResult.self, from: Data(message.dropFirst())))
                case .closed:
                    open -= 1
                default:
                    break
                }
            } catch {
                if deskError == nil { deskError = error }
                if error is DistributedError { break }
            }
        }
        deskEnded.signal()
    }
}
