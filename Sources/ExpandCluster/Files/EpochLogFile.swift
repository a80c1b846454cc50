import ECCore
import ECEngine
import ECFormats
import Foundation

/// A JSON-lines log of training epochs: one object per epoch with the phase, the epoch number,
/// every student's loss and learning rate, the seconds it took and its minibatch size. Lines are appended as the
/// run goes, so a killed run keeps its log; a torn last line is skipped when read back.
public final class EpochLogFile {
    public let url: URL
    private var handle: FileHandle?

    public struct Line: Codable {
        public let phase: String
        public let epoch: Int
        public let losses: [Double]
        public let learningRates: [Double]
        public let seconds: Double
        public let batchSize: Int?
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
        let line = Line(phase: phase, epoch: record.epoch, losses: record.losses, learningRates: record.learningRates,
                        seconds: record.seconds, batchSize: record.batchSize)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try handle?.write(contentsOf: try encoder.encode(line) + Data("\n".utf8))
    }

    /// The lines that parse, in order.
    public func lines() -> [Line] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(Line.self, from: Data($0)) }
    }

    /// Drops the lines of `phase` after epoch `epoch` (work a killed run did after its last
    /// checkpoint, which the resumed run will redo) and returns that phase's remaining records.
    public func truncate(phase: String, after epoch: Int) throws -> [EpochRecord] {
        try handle?.close()
        handle = nil
        let all = lines()
        let kept = all.filter { $0.phase != phase || $0.epoch <= epoch }
        if kept.count != all.count {
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            var text = ""
            for line in kept { text += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n" }
            try writeFileAtomically(text, to: url)
        }
        return kept.filter { $0.phase == phase }.map {
            EpochRecord(epoch: $0.epoch, losses: $0.losses, learningRates: $0.learningRates, seconds: $0.seconds,
                        batchSize: $0.batchSize)
        }
    }
}
