/// gzip decompression (IDX datasets are distributed as `.gz`).
enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed content of a gzip file (all members, if several are concatenated).
    static func decompress(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        // The trailer's ISIZE (size mod 2^32 of the last member) is a good first allocation, so
        // that typical files inflate without regrowing.
        var sizeHint = 0
        if bytes.count >= 18 {
            sizeHint = bytes.withUnsafeBytes {
                Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self)))
            }
        }
        return try bytes.withUnsafeBytes {
            try Zlib.inflate($0, windowBits: Zlib.gzipOrZlib, size: .about(sizeHint),
                             concatenatedMembers: true, path: path, what: "gzip stream")
        }
    }
}
