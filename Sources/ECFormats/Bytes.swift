import ECCore

/// The order in which a multi-byte element is stored.
enum ByteOrder: Sendable {
    case little, big

    static var host: ByteOrder { 1.littleEndian == 1 ? .little : .big }
}

/// A bounds-checked cursor over a file's bytes. Every read checks that the bytes exist and throws
/// an error naming the file otherwise, so a parser built on it cannot read out of bounds however
/// the file lies about its sizes.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, path: String, at offset: Int = 0) throws {
        self.bytes = bytes
        self.path = path
        self.offset = 0
        try seek(to: offset, for: "the start of the data")
    }

    var remaining: Int { bytes.count - offset }

    /// Moves to an absolute position, which must lie inside the file (or at its end).
    mutating func seek(to position: Int, for what: String) throws {
        guard position >= 0, position <= bytes.count else {
            throw failure("\(what) at offset \(position) lies outside the file (\(bytes.count) bytes); truncated or corrupt")
        }
        offset = position
    }

    /// The next `count` bytes, or an error naming `what` was being read when the file ran out.
    mutating func read(_ count: Int, for what: String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw failure("truncated: \(what) needs \(count) bytes at offset \(offset) but only \(remaining) remain")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + count])
        offset += count
        return slice
    }

    /// The next fixed-width integer, stored in `order`.
    mutating func read<I: FixedWidthInteger>(_: I.Type, order: ByteOrder = .little, for what: String) throws -> I {
        let raw = try read(MemoryLayout<I>.size, for: what).loadUnaligned(as: I.self)
        return order == .little ? I(littleEndian: raw) : I(bigEndian: raw)
    }

    /// Skips `count` bytes.
    mutating func skip(_ count: Int, for what: String) throws {
        _ = try read(count, for: what)
    }

    func failure(_ problem: String) -> ECError {
        .invalidFile(path: path, problem: problem)
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in `order` (the formats here write little-endian headers).
    mutating func appendInteger<I: FixedWidthInteger>(_ value: I, order: ByteOrder = .little) {
        Swift.withUnsafeBytes(of: order == .little ? value.littleEndian : value.bigEndian) { append(contentsOf: $0) }
    }

    mutating func append(_ string: String) {
        append(contentsOf: string.utf8)
    }
}

/// The element count of `shape` and the byte size of that many elements, checked with
/// `Shape.product` (a corrupt header can claim any shape); `failure` makes the parser's error.
func elementAndByteCount(shape: [Int], elementSize: Int,
                         failure: (String) -> ECError) throws -> (elements: Int, bytes: Int) {
    guard shape.count <= Shape.maximumRank else {
        throw failure("shape of rank \(shape.count) exceeds the maximum rank \(Shape.maximumRank)")
    }
    guard let elements = Shape.product(shape), let bytes = Shape.product(shape, times: elementSize) else {
        throw failure("shape \(Shape.description(shape)) is too large (its sizes overflow)")
    }
    return (elements, bytes)
}
