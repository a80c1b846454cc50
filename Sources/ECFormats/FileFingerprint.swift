import ECCore
import Foundation

/// A file's size and CRC-32: enough to notice that an input a run started with was replaced or
/// changed before the run resumes (a different probe set would silently mix two runs).
public struct FileFingerprint: Sendable, Codable, Equatable, CustomStringConvertible {
    public let bytes: Int
    public let crc32: UInt32

    public init(of url: URL) throws {
        let content = try readFile(url)
        bytes = content.count
        crc32 = content.withUnsafeBytes(Zlib.crc32)
    }

    public var description: String { "\(bytes) bytes, CRC-32 " + String(format: "%08x", crc32) }
}
