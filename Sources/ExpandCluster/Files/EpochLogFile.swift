import ECCore
import ECEngine
import ECFormats
import Foundation

/// A JSON-lines log of training epochs: one object per epoch with the phase, the epoch number,
/// every student's loss and learning rate, the seconds it took and its minibatch size. Lines are
/// appended as the run goes, so a killed run keeps its log; a torn last line is skipped when read back.
public final class EpochLogFile {
    public let url: URL
    private var handle: FileHandle?

    /// One epoch of one phase, written flat (the phase beside the record's own fields), so that a
    /// field added to `EpochRecord` reaches the log without being listed here again.
    public struct Line: Codable {
        public let phase: String
        public let record: EpochRecord

        private enum CodingKeys: String, CodingKey { case phase }

        init(phase: String, record: EpochRecord) {
            self.phase = phase
            self.record = record
        }

        public init(from decoder: Decoder) throws {
            phase = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .phase)
            record = try EpochRecord(from: decoder)
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(phase, forKey: .phase)
            try record.encode(to: encoder)
        }
    }

    public init(url: URL) {
        self.url = url
    }

    deinit { try? handle?.close() }

    public func append(_ record: EpochRecord, phase: String) throws {
        if handle == nil {
            if !FileManager.default.fileExists(atPath: url.path) {
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw ECError.invalidFile(path: url.relativePath, problem: "cannot create the epoch log")
                }
            }
            handle = try FileHandle(forWritingTo: url)
            try handle?.seekToEnd()
        }
        try handle?.write(contentsOf: try Self.encoded(Line(phase: phase, record: record)))
    }

    /// The lines that parse, in order.
    public func lines() -> [Line] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        let decoder = JSONDecoder.forFiles
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(Line.self, from: Data($0)) }
    }

    /// Drops the lines of `phase` after epoch `epoch` (work a killed run did after its last
    /// checkpoint, which the resumed run will redo) and returns that phase's remaining records.
    public func truncate(phase: String, after epoch: Int) throws -> [EpochRecord] {
        try handle?.close()
        handle = nil
        let all = lines()
        let kept = all.filter { $0.phase != phase || $0.record.epoch <= epoch }
        if kept.count != all.count {
            try writeFileAtomically(try kept.flatMap(Self.encoded), to: url)
        }
        return kept.filter { $0.phase == phase }.map(\.record)
    }

    private static func encoded(_ line: Line) throws -> Data {
        try JSONEncoder.forLines.encode(line) + Data("\n".utf8)
    }
}
