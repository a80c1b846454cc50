import Foundation

/// Array and network files written byte by byte, so that the command line can be fed exactly the
/// damage a test wants, without the library under test writing it.
enum TestFiles {
    /// A version 1.0 `.npy` file: `descr` (e.g. "<f8") and `shape` in the header, then `data`.
    static func npy(descr: String, shape: [Int], data: [UInt8]) -> [UInt8] {
        let dimensions = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dimensions)), }"
        // NumPy aligns the data to 64 bytes: magic (6) + version (2) + length (2) + header + newline.
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0] + littleEndian(UInt16(header.utf8.count))
            + Array(header.utf8) + data
    }

    /// A float64 `.npy` array of `shape` holding `values` in C order.
    static func npy(_ values: [Double], shape: [Int]) -> [UInt8] {
        npy(descr: "<f8", shape: shape, data: values.flatMap { littleEndian($0.bitPattern) })
    }

    /// An uncompressed zip archive (what `np.savez` writes) of `entries`, name and content.
    static func zip(_ entries: [(name: String, content: [UInt8])]) -> [UInt8] {
        var archive = [UInt8](), directory = [UInt8]()
        for (name, content) in entries {
            let offset = UInt32(archive.count), crc = crc32(content), size = UInt32(content.count)
            let common = littleEndian(UInt16(20)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))  // version, flags, stored
                + littleEndian(UInt32(0)) + littleEndian(crc) + littleEndian(size) + littleEndian(size)  // time+date, crc, sizes
                + littleEndian(UInt16(name.utf8.count)) + littleEndian(UInt16(0))                      // name, extra lengths
            archive += littleEndian(UInt32(0x0403_4b50)) + common + Array(name.utf8) + content
            directory += littleEndian(UInt32(0x0201_4b50)) + littleEndian(UInt16(20)) + common
                + littleEndian(UInt16(0)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))  // comment, disk, internal attributes
                + littleEndian(UInt32(0)) + littleEndian(offset) + Array(name.utf8)            // external attributes, offset
        }
        let count = UInt16(entries.count)
        return archive + directory + littleEndian(UInt32(0x0605_4b50)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))
            + littleEndian(count) + littleEndian(count) + littleEndian(UInt32(directory.count))
            + littleEndian(UInt32(archive.count)) + littleEndian(UInt16(0))
    }

    /// A safetensors file with its JSON header changed by `edit` and the data left as it was, for
    /// headers that lie about the data.
    static func safetensors(rewritingHeaderOf file: [UInt8], _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        let length = file.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        guard var header = try JSONSerialization.jsonObject(with: Data(file[8 ..< 8 + length])) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        edit(&header)
        let rewritten = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        return littleEndian(UInt64(rewritten.count)) + rewritten + file[(8 + length)...]
    }

    /// The zip checksum (CRC-32, reflected polynomial 0xEDB88320).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc = UInt32.max
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func littleEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
