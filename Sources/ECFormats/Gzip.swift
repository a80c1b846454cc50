import ECCore

/// gzip decompression (IDX datasets are distributed as `.gz`).
enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed content of a gzip file (all members, if several are concatenated): the
    /// first bytes, or exactly the size the content's own header declares (see `Zlib.OutputSize`).
    static func decompress(_ bytes: [UInt8], path: String, size: Zlib.OutputSize) throws -> [UInt8] {
        try bytes.withUnsafeBytes {
            try Zlib.inflate($0, windowBits: Zlib.gzipOrZlib, size: size, concatenatedMembers: true,
                             path: path, what: "gzip stream")
        }
    }
}
