import ECCore
import Foundation

/// Reading zip archives (the container of `.npz` files) through the central directory, per
/// PKWARE's APPNOTE: stored and deflated entries, ZIP64 sizes and offsets, CRC-32 checks.
enum ZipArchive {
    static let localHeaderSignature: UInt32 = 0x0403_4b50
    static let centralHeaderSignature: UInt32 = 0x0201_4b50
    static let endSignature: UInt32 = 0x0605_4b50
    static let zip64EndSignature: UInt32 = 0x0606_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let zip64ExtraID: UInt16 = 0x0001
    /// The value a 32-bit (16-bit) field holds when the real one is in the ZIP64 records.
    static let overflow32 = UInt32.max
    static let overflow16 = UInt16.max
    /// The end record's fixed size; a comment of up to 65535 bytes may follow it.
    static let endRecordSize = 22

    enum Method: UInt16 {
        case stored = 0
        case deflated = 8
    }

    /// One central-directory record.
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    /// Calls `body` with each entry's name and uncompressed content, in central-directory order,
    /// after checking the content's CRC-32. Stored entries are passed without copying. Entries
    /// must not share bytes (a few compressed bytes listed many times would inflate many times),
    /// and the file with every inflated entry must fit `memoryBudget`, before anything inflates.
    static func forEachEntry(in bytes: UnsafeRawBufferPointer, path: String, memoryBudget: UInt64,
                             _ body: (String, UnsafeRawBufferPointer) throws -> Void) throws {
        let located = try centralDirectory(of: bytes, path: path).map { try locate($0, in: bytes, path: path) }
        var end = 0
        for (entry, data) in located.sorted(by: { $0.entry.localHeaderOffset < $1.entry.localHeaderOffset }) {
            guard entry.localHeaderOffset >= end else {
                throw ECError.invalidFile(path: path, problem: "entry '\(entry.name.printable)' overlaps the entry before it; corrupt zip")
            }
            end = data.upperBound
        }
        var total = UInt64(bytes.count)
        for (entry, _) in located where entry.method == Method.deflated.rawValue {
            total = total.addingReportingOverflow(UInt64(entry.uncompressedSize)).partialValue
        }
        guard total <= memoryBudget else {
            throw ECError.invalidFile(path: path, problem: "declares \(total) bytes of content, beyond the memory budget; "
                                      + MemoryBudget.describe(memoryBudget))
        }
        for (entry, data) in located {
            try withContents(of: entry, data: UnsafeRawBufferPointer(rebasing: bytes[data]), path: path, body)
        }
    }

    /// The central-directory records, located through the end record (and the ZIP64 end record
    /// when the classic fields overflow).
    static func centralDirectory(of bytes: UnsafeRawBufferPointer, path: String) throws -> [Entry] {
        guard let endOffset = findEndRecord(bytes) else {
            throw ECError.invalidFile(path: path, problem:
                "not a zip archive (no end-of-central-directory record; truncated or a different format)")
        }
        var end = try ByteReader(bytes, path: path, at: endOffset + 4)
        let disk = try end.read(UInt16.self, for: "the end record")
        let directoryDisk = try end.read(UInt16.self, for: "the end record")
        _ = try end.read(UInt16.self, for: "the end record")
        var count = UInt64(try end.read(UInt16.self, for: "the end record"))
        var directorySize = UInt64(try end.read(UInt32.self, for: "the end record"))
        var directoryOffset = UInt64(try end.read(UInt32.self, for: "the end record"))
        if count == UInt64(overflow16) || directorySize == UInt64(overflow32) || directoryOffset == UInt64(overflow32) {
            (count, directorySize, directoryOffset) = try zip64End(bytes, endOffset: endOffset, path: path)
        } else if disk != 0 || directoryDisk != 0 {
            throw end.failure("multi-disk zip archives are not supported")
        }
        guard let offset = Int(exactly: directoryOffset), let size = Int(exactly: directorySize),
              offset <= endOffset, size <= endOffset - offset else {
            throw end.failure("central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the archive; truncated or corrupt")
        }
        // Each record takes at least 46 bytes, which bounds a corrupt count before allocating.
        guard count <= UInt64(size / 46) else {
            throw end.failure("central directory of \(size) bytes cannot hold the \(count) entries it claims")
        }
        var reader = try ByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<(offset + size)]), path: path, at: offset)
        return try (0..<Int(count)).map { _ in try centralRecord(&reader) }
    }

    /// The offset of the end-of-central-directory record: the last signature in the final
    /// 22 + 65535 bytes whose comment length reaches exactly to the end of the file.
    private static func findEndRecord(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= endRecordSize else { return nil }
        let last = bytes.count - endRecordSize
        for offset in stride(from: last, through: max(0, last - Int(overflow16)), by: -1) {
            guard bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) == endSignature.littleEndian else { continue }
            let commentLength = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 20, as: UInt16.self)))
            if offset + endRecordSize + commentLength == bytes.count { return offset }
        }
        return nil
    }

    /// Entry count, directory size and directory offset from the ZIP64 end record.
    private static func zip64End(_ bytes: UnsafeRawBufferPointer, endOffset: Int, path: String) throws
        -> (UInt64, UInt64, UInt64) {
        var locator = try ByteReader(bytes, path: path, at: max(0, endOffset - 20))
        guard endOffset >= 20, try locator.read(UInt32.self, for: "the ZIP64 locator") == zip64LocatorSignature else {
            throw locator.failure("end record points to ZIP64 records, but the ZIP64 locator is missing; corrupt zip")
        }
        _ = try locator.read(UInt32.self, for: "the ZIP64 locator")
        let recordOffset = try locator.read(UInt64.self, for: "the ZIP64 locator")
        guard let position = Int(exactly: recordOffset), position <= endOffset else {
            throw locator.failure("ZIP64 end record offset \(recordOffset) lies outside the archive; corrupt zip")
        }
        var record = try ByteReader(bytes, path: path, at: position)
        guard try record.read(UInt32.self, for: "the ZIP64 end record") == zip64EndSignature else {
            throw record.failure("ZIP64 end record missing at offset \(position); corrupt zip")
        }
        try record.skip(8 + 2 + 2, for: "the ZIP64 end record")
        let disk = try record.read(UInt32.self, for: "the ZIP64 end record")
        let directoryDisk = try record.read(UInt32.self, for: "the ZIP64 end record")
        guard disk == 0, directoryDisk == 0 else { throw record.failure("multi-disk zip archives are not supported") }
        _ = try record.read(UInt64.self, for: "the ZIP64 end record")
        return (try record.read(UInt64.self, for: "the ZIP64 end record"),
                try record.read(UInt64.self, for: "the ZIP64 end record"),
                try record.read(UInt64.self, for: "the ZIP64 end record"))
    }

    private static func centralRecord(_ reader: inout ByteReader) throws -> Entry {
        let what = "a central directory record"
        guard try reader.read(UInt32.self, for: what) == centralHeaderSignature else {
            throw reader.failure("corrupt zip: bad central directory record signature at offset \(reader.offset - 4)")
        }
        try reader.skip(4, for: what)
        let flags = try reader.read(UInt16.self, for: what)
        let method = try reader.read(UInt16.self, for: what)
        try reader.skip(4, for: what)
        let crc = try reader.read(UInt32.self, for: what)
        var compressed = UInt64(try reader.read(UInt32.self, for: what))
        var uncompressed = UInt64(try reader.read(UInt32.self, for: what))
        let nameLength = Int(try reader.read(UInt16.self, for: what))
        let extraLength = Int(try reader.read(UInt16.self, for: what))
        let commentLength = Int(try reader.read(UInt16.self, for: what))
        try reader.skip(8, for: what)
        var offset = UInt64(try reader.read(UInt32.self, for: what))
        let name = String(decoding: try reader.read(nameLength, for: "an entry name"), as: UTF8.self)
        let shown = name.printable
        var extra = try ByteReader(try reader.read(extraLength, for: "the extra fields of '\(shown)'"), path: reader.path)
        try reader.skip(commentLength, for: "the comment of '\(shown)'")

        // The ZIP64 extra field holds, in this order, exactly those values whose classic field
        // overflowed.
        while extra.remaining >= 4 {
            let id = try extra.read(UInt16.self, for: "an extra field of '\(shown)'")
            let length = Int(try extra.read(UInt16.self, for: "an extra field of '\(shown)'"))
            var field = try ByteReader(try extra.read(length, for: "an extra field of '\(shown)'"), path: reader.path)
            guard id == zip64ExtraID else { continue }
            let zip64 = "the ZIP64 extra field of '\(shown)'"
            if uncompressed == UInt64(overflow32) { uncompressed = try field.read(UInt64.self, for: zip64) }
            if compressed == UInt64(overflow32) { compressed = try field.read(UInt64.self, for: zip64) }
            if offset == UInt64(overflow32) { offset = try field.read(UInt64.self, for: zip64) }
        }
        guard let compressedSize = Int(exactly: compressed), let uncompressedSize = Int(exactly: uncompressed),
              let localHeaderOffset = Int(exactly: offset) else {
            throw reader.failure("entry '\(shown)' has sizes or an offset beyond this machine's range; corrupt zip")
        }
        return Entry(name: name, method: method, flags: flags, crc: crc, compressedSize: compressedSize,
                     uncompressedSize: uncompressedSize, localHeaderOffset: localHeaderOffset)
    }

    /// The entry with the byte range of its data, behind its local header.
    private static func locate(_ entry: Entry, in bytes: UnsafeRawBufferPointer, path: String) throws
        -> (entry: Entry, data: Range<Int>) {
        let shown = entry.name.printable
        var local = try ByteReader(bytes, path: path, at: min(entry.localHeaderOffset, bytes.count))
        let what = "the local header of '\(shown)'"
        guard entry.localHeaderOffset < bytes.count, try local.read(UInt32.self, for: what) == localHeaderSignature else {
            throw ECError.invalidFile(path: path, problem: "entry '\(shown)': no local header at offset \(entry.localHeaderOffset); corrupt zip")
        }
        try local.skip(22, for: what)
        let nameLength = Int(try local.read(UInt16.self, for: what))
        let extraLength = Int(try local.read(UInt16.self, for: what))
        try local.skip(nameLength + extraLength, for: what)
        let start = local.offset
        try local.skip(entry.compressedSize, for: "the data of '\(shown)'")
        return (entry, start..<local.offset)
    }

    /// Inflates the entry's data if needed, checks the CRC and passes the content to `body`.
    private static func withContents(of entry: Entry, data: UnsafeRawBufferPointer, path: String,
                                     _ body: (String, UnsafeRawBufferPointer) throws -> Void) throws {
        let shown = entry.name.printable
        func failure(_ problem: String) -> ECError { .invalidFile(path: path, problem: "entry '\(shown)': \(problem)") }
        guard entry.flags & 1 == 0 else { throw failure("is encrypted (unsupported)") }
        guard let method = Method(rawValue: entry.method) else {
            throw failure("unsupported compression method \(entry.method) (supported: 0 stored, 8 deflated)")
        }

        func check(_ content: UnsafeRawBufferPointer) throws {
            let crc = Zlib.crc32(content)
            guard crc == entry.crc else {
                throw failure("CRC-32 mismatch (stored \(hex(entry.crc)), computed \(hex(crc))); the archive is corrupt")
            }
            try body(entry.name, content)
        }
        switch method {
        case .stored:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw failure("stored entry has compressed size \(entry.compressedSize) ≠ size \(entry.uncompressedSize)")
            }
            try check(data)
        case .deflated:
            // Deflate cannot expand more than about 1032:1; a larger claim is corruption.
            guard entry.uncompressedSize / 1032 <= entry.compressedSize else {
                throw failure("declared size \(entry.uncompressedSize) is impossible for \(entry.compressedSize) deflated bytes")
            }
            let content = try Zlib.inflate(data, windowBits: Zlib.rawDeflate, size: .exactly(entry.uncompressedSize),
                                           path: path, what: "entry '\(shown)'")
            try content.withUnsafeBytes(check)
        }
    }

    private static func hex(_ value: UInt32) -> String {
        String(format: "0x%08x", value)
    }
}
