import ECCore
import Foundation

/// The IDX format of MNIST-style datasets (http://yann.lecun.com/exdb/mnist/): magic
/// `00 00 TT DD` with element type TT and rank DD, DD big-endian u32 dimension sizes, then the
/// elements big-endian in C order. Files may be gzip-compressed (`.gz`).
///
/// Element types map to storage as follows: u8 (0x08) stays `.uint8`; i8 (0x09), i16 (0x0B) and
/// i32 (0x0C) become `.int32` (exact); f32 (0x0D) becomes `.float32`; f64 (0x0E) `.float64`.
public enum IDX {
    /// The element types, by their type byte.
    enum ElementType: UInt8 {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        var byteCount: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    /// Reads the IDX file at `url`, gunzipping it first if it is named `.gz` or starts with
    /// the gzip magic.
    public static func read(from url: URL) throws -> AnyTensor {
        let bytes = try readFile(url)
        if url.pathExtension.lowercased() == "gz", !Gzip.hasMagic(bytes) {
            throw ECError.invalidFile(path: url.displayPath, problem: "named .gz but not gzip data (no 1f 8b magic)")
        }
        return try decode(bytes, path: url.displayPath)
    }

    /// Decodes IDX bytes, raw or gzip-compressed (detected by the magic); `path` names the file
    /// in error messages. A gzip stream does not say how large it inflates, so its IDX header is
    /// inflated first and then exactly the size that header declares, if it fits `memoryBudget`.
    public static func decode(_ bytes: [UInt8], path: String, memoryBudget: UInt64 = MemoryBudget.available) throws -> AnyTensor {
        guard Gzip.hasMagic(bytes) else { return try decodeRaw(bytes, path: path) }
        let head = try Gzip.decompress(bytes, path: path, size: .prefix(4 + 4 * 255))
        let size = try head.withUnsafeBytes { raw in
            var reader = try ByteReader(raw, path: path)
            return try header(&reader).byteCount + reader.offset
        }
        guard UInt64(size) <= memoryBudget else {
            throw ECError.invalidFile(path: path, problem: "inflates to \(size) bytes, beyond the memory budget; "
                                      + MemoryBudget.describe(memoryBudget))
        }
        return try decodeRaw(Gzip.decompress(bytes, path: path, size: .exactly(size)), path: path)
    }

    private static func decodeRaw(_ content: [UInt8], path: String) throws -> AnyTensor {
        try content.withUnsafeBytes { raw in
            var reader = try ByteReader(raw, path: path)
            let (type, shape, count, byteCount) = try header(&reader)
            guard byteCount == reader.remaining else {
                throw reader.failure("sizes \(Shape.description(shape)) need \(count) elements of \(type.byteCount) bytes "
                                     + "(\(byteCount) bytes), but the file holds \(reader.remaining) data bytes")
            }
            let data = try reader.read(byteCount, for: "the data")
            return AnyTensor(shape: shape, storage: storage(of: type, from: data, count: count))
        }
    }

    /// Reads the magic number and the dimension sizes, leaving `reader` at the data.
    private static func header(_ reader: inout ByteReader) throws -> (ElementType, [Int], count: Int, byteCount: Int) {
        let magic = try reader.read(UInt32.self, order: .big, for: "the IDX magic number")
        let typeByte = UInt8(truncatingIfNeeded: magic >> 8)
        guard magic >> 16 == 0, let type = ElementType(rawValue: typeByte) else {
            throw reader.failure("bad IDX magic number \(String(format: "0x%08x", magic)) (expected 00 00 TT DD "
                                 + "with type TT in 08 09 0B 0C 0D 0E)")
        }
        let rank = Int(magic & 0xff)
        let shape = try (0..<rank).map { _ in Int(try reader.read(UInt32.self, order: .big, for: "the dimension sizes")) }
        let (count, byteCount) = try elementAndByteCount(shape: shape, elementSize: type.byteCount,
                                                         failure: { reader.failure($0) })
        return (type, shape, count, byteCount)
    }

    private static func storage(of type: ElementType, from data: UnsafeRawBufferPointer, count: Int) -> TensorStorage {
        switch type {
        case .uint8: .uint8(Array(decoding: data, count: count, order: .big))
        case .int8: .int32([Int8](decoding: data, count: count, order: .big).map(Int32.init))
        case .int16: .int32([Int16](decoding: data, count: count, order: .big).map(Int32.init))
        case .int32: .int32(Array(decoding: data, count: count, order: .big))
        case .float32: .float32(Array(decoding: data, count: count, order: .big))
        case .float64: .float64(Array(decoding: data, count: count, order: .big))
        }
    }
}
