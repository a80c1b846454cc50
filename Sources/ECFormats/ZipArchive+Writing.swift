extension ZipArchive {
    /// What a written entry needs in the central directory.
    private struct WrittenEntry {
        var name: [UInt8]
        var method: Method
        var crc: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    /// Version 2.0 suffices for deflate; ZIP64 records need 4.5.
    private static func versionNeeded(zip64: Bool) -> UInt16 { zip64 ? 45 : 20 }
    /// "Made by" Unix (high byte 3), so that readers apply the external attributes below.
    private static let madeByUnix: UInt16 = 3 << 8
    /// A regular file with mode 0644, in the Unix half of the external attributes.
    private static let regularFileAttributes: UInt32 = 0o100644 << 16
    /// 1980-01-01 00:00, the earliest DOS date: a fixed timestamp keeps output reproducible.
    private static let dosDate: UInt16 = (1 << 5) | 1

    /// A zip archive of `entries` (name, content) in order, stored or deflated. ZIP64 records are
    /// written only where a size, offset or count overflows the classic fields, unless
    /// `forceZip64` asks for them everywhere (as NumPy's `savez` does).
    static func encode(_ entries: [(name: String, content: [UInt8])], method: Method, forceZip64: Bool,
                       path: String) throws -> [UInt8] {
        var out = [UInt8]()
        var written = [WrittenEntry]()
        for (name, content) in entries {
            let compressed = try method == .deflated
                ? content.withUnsafeBytes { try Zlib.deflateRaw($0, path: path) } : content
            let entry = WrittenEntry(name: Array(name.utf8), method: method,
                                     crc: content.withUnsafeBytes(Zlib.crc32),
                                     compressedSize: compressed.count, uncompressedSize: content.count,
                                     localHeaderOffset: out.count)
            appendLocalHeader(entry, forceZip64: forceZip64, to: &out)
            out.append(contentsOf: compressed)
            written.append(entry)
        }
        let directoryOffset = out.count
        for entry in written { appendCentralRecord(entry, forceZip64: forceZip64, to: &out) }
        appendEnd(count: written.count, directoryOffset: directoryOffset,
                  directorySize: out.count - directoryOffset, forceZip64: forceZip64, to: &out)
        return out
    }

    /// The 32-bit field for `value`, or the overflow marker when the value goes to a ZIP64 record.
    private static func field32(_ value: Int, inZip64: Bool) -> UInt32 {
        inZip64 ? overflow32 : UInt32(value)
    }

    /// Bit 11 declares the name UTF-8; plain ASCII names leave it clear, as Python does.
    private static func flags(for name: [UInt8]) -> UInt16 {
        name.allSatisfy { $0 < 0x80 } ? 0 : 1 << 11
    }

    private static func appendLocalHeader(_ entry: WrittenEntry, forceZip64: Bool, to out: inout [UInt8]) {
        let zip64 = forceZip64 || entry.compressedSize >= Int(overflow32) || entry.uncompressedSize >= Int(overflow32)
        out.appendInteger(localHeaderSignature)
        out.appendInteger(versionNeeded(zip64: zip64))
        out.appendInteger(flags(for: entry.name))
        out.appendInteger(entry.method.rawValue)
        out.appendInteger(UInt16(0))
        out.appendInteger(dosDate)
        out.appendInteger(entry.crc)
        out.appendInteger(field32(entry.compressedSize, inZip64: zip64))
        out.appendInteger(field32(entry.uncompressedSize, inZip64: zip64))
        out.appendInteger(UInt16(entry.name.count))
        out.appendInteger(UInt16(zip64 ? 20 : 0))
        out.append(contentsOf: entry.name)
        if zip64 {
            // The local ZIP64 field always carries both sizes.
            out.appendInteger(zip64ExtraID)
            out.appendInteger(UInt16(16))
            out.appendInteger(UInt64(entry.uncompressedSize))
            out.appendInteger(UInt64(entry.compressedSize))
        }
    }

    private static func appendCentralRecord(_ entry: WrittenEntry, forceZip64: Bool, to out: inout [UInt8]) {
        // In the central directory the ZIP64 field holds exactly the overflowing values, in the
        // order uncompressed size, compressed size, local header offset.
        let values = [entry.uncompressedSize, entry.compressedSize, entry.localHeaderOffset]
        let large = values.map { forceZip64 || $0 >= Int(overflow32) }
        let zip64Values = zip(values, large).filter(\.1).map(\.0)
        let version = versionNeeded(zip64: !zip64Values.isEmpty)
        out.appendInteger(centralHeaderSignature)
        out.appendInteger(madeByUnix | version)
        out.appendInteger(version)
        out.appendInteger(flags(for: entry.name))
        out.appendInteger(entry.method.rawValue)
        out.appendInteger(UInt16(0))
        out.appendInteger(dosDate)
        out.appendInteger(entry.crc)
        out.appendInteger(field32(entry.compressedSize, inZip64: large[1]))
        out.appendInteger(field32(entry.uncompressedSize, inZip64: large[0]))
        out.appendInteger(UInt16(entry.name.count))
        out.appendInteger(UInt16(zip64Values.isEmpty ? 0 : 4 + 8 * zip64Values.count))
        out.appendInteger(UInt16(0))            // comment length
        out.appendInteger(UInt16(0))            // disk number
        out.appendInteger(UInt16(0))            // internal attributes
        out.appendInteger(regularFileAttributes)
        out.appendInteger(field32(entry.localHeaderOffset, inZip64: large[2]))
        out.append(contentsOf: entry.name)
        if !zip64Values.isEmpty {
            out.appendInteger(zip64ExtraID)
            out.appendInteger(UInt16(8 * zip64Values.count))
            for value in zip64Values { out.appendInteger(UInt64(value)) }
        }
    }

    private static func appendEnd(count: Int, directoryOffset: Int, directorySize: Int, forceZip64: Bool,
                                  to out: inout [UInt8]) {
        let zip64 = forceZip64 || count >= Int(overflow16) || directoryOffset >= Int(overflow32)
            || directorySize >= Int(overflow32)
        if zip64 {
            let recordOffset = out.count
            out.appendInteger(zip64EndSignature)
            out.appendInteger(UInt64(44))       // size of the rest of the record
            out.appendInteger(madeByUnix | versionNeeded(zip64: true))
            out.appendInteger(versionNeeded(zip64: true))
            out.appendInteger(UInt32(0))        // this disk
            out.appendInteger(UInt32(0))        // disk with the central directory
            out.appendInteger(UInt64(count))
            out.appendInteger(UInt64(count))
            out.appendInteger(UInt64(directorySize))
            out.appendInteger(UInt64(directoryOffset))
            out.appendInteger(zip64LocatorSignature)
            out.appendInteger(UInt32(0))
            out.appendInteger(UInt64(recordOffset))
            out.appendInteger(UInt32(1))        // total disks
        }
        out.appendInteger(endSignature)
        out.appendInteger(UInt16(0))
        out.appendInteger(UInt16(0))
        let count16 = zip64 ? overflow16 : UInt16(count)
        out.appendInteger(count16)
        out.appendInteger(count16)
        out.appendInteger(field32(directorySize, inZip64: zip64))
        out.appendInteger(field32(directoryOffset, inZip64: zip64))
        out.appendInteger(UInt16(0))            // comment length
    }
}
