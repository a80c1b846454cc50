import CMPI
import Foundation
import Synchronization

/// The processes that share one run: the ranks of an MPI job when mpirun started `ec`, else the
/// one process of a plain run (rank 0 of 1, which never touches MPI). Collective operations must
/// be called by every rank in the same order; on a single rank they return their input.
public final class Ranks: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// This rank's place among the ranks on its host (which device it takes).
    public let localRank: Int
    public let host: String
    private let usesMPI: Bool
    /// Bytes this rank has received from others in gathers and broadcasts: what a run's
    /// communication cost, for the report.
    public private(set) var bytesReceived = 0
    /// Seconds this rank has spent in collective operations, waiting for slower ranks included.
    public private(set) var secondsCommunicating = 0.0

    /// The one process of a plain run. (Its host is never reported; Foundation's `hostName` may
    /// wait for a DNS lookup.)
    public static let single = Ranks(rank: 0, size: 1, localRank: 0, host: "localhost", usesMPI: false)

    /// This process's job: MPI is started on first use when mpirun launched the process.
    public static var world: Ranks {
        get throws { try started.get() }
    }

    /// Whether MPI is running in this process (to finish it, or abort the job, on the way out);
    /// asking does not start it.
    public static var isRunning: Bool { running.withLock { $0 } }
    private static let running = Mutex(false)

    private static let started: Result<Ranks, DistributedError> = {
        guard ec_mpi_launched() != 0 else { return .success(single) }
        var message = [CChar](repeating: 0, count: 512)
        guard ec_mpi_start(&message, message.count) == 0 else {
            return .failure(DistributedError(problem: "MPI: " + text(message)))
        }
        var rank: Int32 = 0, size: Int32 = 0
        var name = [CChar](repeating: 0, count: 256)
        running.withLock { $0 = true }
        guard ec_mpi_rank(&rank) == 0, ec_mpi_size(&size) == 0, ec_mpi_host(&name, name.count) == 0 else {
            return .failure(DistributedError(problem: "MPI: cannot tell this process's rank"))
        }
        let environment = ProcessInfo.processInfo.environment
        return .success(Ranks(rank: Int(rank), size: Int(size),
                              localRank: Int(environment["OMPI_COMM_WORLD_LOCAL_RANK"] ?? "") ?? 0,
                              host: text(name), usesMPI: true))
    }()

    /// A C string filled in by the shim.
    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private init(rank: Int, size: Int, localRank: Int, host: String, usesMPI: Bool) {
        (self.rank, self.size, self.localRank, self.host, self.usesMPI) = (rank, size, localRank, host, usesMPI)
    }

    public var isRoot: Bool { rank == 0 }

    /// The contiguous share of `count` items (students, in their order) that rank `r` takes:
    /// the first `count % size` ranks take one more.
    public func share(of count: Int, rank r: Int? = nil) -> Range<Int> {
        Self.share(of: count, among: size, rank: r ?? rank)
    }

    public static func share(of count: Int, among size: Int, rank r: Int) -> Range<Int> {
        let start = { (r: Int) in r * (count / size) + min(r, count % size) }
        return start(r) ..< start(r + 1)
    }

    /// Every rank's `values`, concatenated in rank order, on every rank; `counts`, when given,
    /// is how many values each rank sends (which saves asking).
    public func allGather<T: BitwiseCopyable>(_ values: [T], counts: [Int]? = nil) throws -> [T] {
        guard size > 1 else { return values }
        let stride = MemoryLayout<T>.stride
        let counts = try counts.map { $0.map { $0 * stride } } ?? allGatherCounts(values.count * stride)
        precondition(counts.count == size && counts[rank] == values.count * stride, "counts do not match what this rank sends")
        let offsets = counts.indices.map { counts[..<$0].reduce(0, +) }
        let total = counts.reduce(0, +)
        guard total <= Int32.max else { throw DistributedError(problem: "MPI: a gather of \(total) bytes exceeds MPI's 2 GiB count") }
        // Every byte is written by the gather; T is plain data.
        var gathered = [T](unsafeUninitializedCapacity: total / stride) { _, initialized in initialized = total / stride }
        try values.withUnsafeBytes { send in
            try gathered.withUnsafeMutableBytes { receive in
                try collective("gathering") {
                    ec_mpi_allgatherv(send.baseAddress, Int32(send.count), receive.baseAddress, counts.map(Int32.init), offsets.map(Int32.init))
                }
            }
        }
        bytesReceived += total - values.count * stride
        return gathered
    }

    /// Every rank's byte count, on every rank.
    private func allGatherCounts(_ count: Int) throws -> [Int] {
        var mine = [Int64](repeating: 0, count: size), all = mine
        mine[rank] = Int64(count)
        try collective("gathering sizes") { ec_mpi_allreduce_max(mine, &all, Int32(size)) }
        return all.map(Int.init)
    }

    /// The largest of each value over the ranks, on every rank: how ranks agree on a decision
    /// (any rank asked to stop, rank 0's clock says a checkpoint is due).
    public func maximum(_ values: [Int64]) throws -> [Int64] {
        guard size > 1 else { return values }
        var result = values
        try collective("agreeing") { ec_mpi_allreduce_max(values, &result, Int32(values.count)) }
        return result
    }

    /// Rank 0's `bytes` on every rank.
    public func broadcast(_ bytes: [UInt8]) throws -> [UInt8] {
        guard size > 1 else { return bytes }
        var count = [Int64(isRoot ? bytes.count : 0)]
        count = try maximum(count)
        var buffer = isRoot ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        try collective("broadcasting") { ec_mpi_broadcast(&buffer, Int32(buffer.count), 0) }
        if !isRoot { bytesReceived += buffer.count }
        return buffer
    }

    /// The value rank 0 makes, on every rank (the others do not call `make`): how ranks start
    /// from one set of settings. A failure on rank 0 ends the job (see `abortJob`).
    public func rootValue<V: Codable>(_ make: () throws -> V) throws -> V {
        guard size > 1 else { return try make() }
        // Non-finite numbers as the project's files write them ("nan", "inf").
        guard isRoot else {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            return try decoder.decode(V.self, from: Data(try broadcast([])))
        }
        let value = try make(), encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        _ = try broadcast(Array(try encoder.encode(value)))
        return value
    }

    /// Sends `bytes` to rank `destination` as a message with `tag`.
    public func send(_ bytes: [UInt8], to destination: Int, tag: Int32) throws {
        try check(ec_mpi_send(bytes, Int32(bytes.count), Int32(destination), tag), "sending to rank \(destination)")
    }

    /// Waits for the next message with `tag` from any rank. With `polling`, it looks every that
    /// many seconds and sleeps between (MPI's own wait keeps a core busy, which a thread beside
    /// the rank's work must not).
    public func receive(tag: Int32, polling: TimeInterval? = nil) throws -> (source: Int, bytes: [UInt8]) {
        var source: Int32 = 0, count: Int32 = 0
        if let polling {
            var found: Int32 = 0
            while true {
                try check(ec_mpi_poll(tag, &found, &source, &count), "looking for a message")
                if found != 0 { break }
                Thread.sleep(forTimeInterval: polling)
            }
        } else {
            try check(ec_mpi_probe(tag, &source, &count), "waiting for a message")
        }
        var bytes = [UInt8](repeating: 0, count: Int(count))
        try check(ec_mpi_receive(&bytes, count, source, tag), "receiving from rank \(source)")
        return (Int(source), bytes)
    }

    /// Every rank's `text`, in rank order, on every rank.
    public func allGather(text: String) throws -> [String] {
        let all = try allGather(Array((text + "\0").utf8))
        return all.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// "rank 1 of 4 on node7": how a rank's own messages name it.
    public var name: String { "rank \(rank) of \(size) on \(host)" }

    /// Ends MPI once every rank has reached the end of its work; nothing in a plain run.
    public static func finish() {
        if isRunning { _ = ec_mpi_finish() }
    }

    /// Ends the whole job with `status` (mpirun reports the rank that called it).
    public static func abortJob(status: Int32) -> Never {
        ec_mpi_abort(status)
        exit(status)
    }

    /// Runs the MPI call `call` (the rank's collectives, timed) and throws on failure.
    private func collective(_ action: String, _ call: () -> Int32) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let status = call()
        secondsCommunicating += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try check(status, action)
    }

    private func check(_ status: Int32, _ action: String) throws {
        guard status == 0 else { throw DistributedError(problem: "MPI error \(status) on \(name) while \(action)") }
    }
}

/// MPI failed to start or a call failed: the message names the rank.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
    public let problem: String
    public var description: String { problem }
}
