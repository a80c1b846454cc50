import ECCore
import Foundation

/// NumPy's `.npy` format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// magic `\x93NUMPY`, a version, a header length, a Python-literal header, then the raw data.
///
/// Reads versions 1.0, 2.0 and 3.0 with descr `<f4 <f8 |u1 <i4 <i8` or their big-endian
/// counterparts (converted to host order), in C or Fortran order (converted to C order), of any
/// rank including 0-d. Writes version 1.0 (2.0 when the header outgrows 1.0's 16-bit length),
/// little-endian, C order, with the data aligned to 64 bytes as NumPy does.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// NumPy pads the header so that the data starts at a multiple of this.
    static let alignment = 64

    /// Reads the array in the file at `url`.
    public static func read(from url: URL) throws -> AnyTensor {
        try decode(readFile(url), path: url.displayPath)
    }

    /// Decodes a file's bytes; `path` names the file in error messages.
    public static func decode(_ bytes: [UInt8], path: String) throws -> AnyTensor {
        try bytes.withUnsafeBytes { try decode($0, path: path) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws -> AnyTensor {
        var reader = try ByteReader(bytes, path: path)
        guard bytes.count >= magic.count, bytes.prefix(magic.count).elementsEqual(magic) else {
            throw reader.failure("not a .npy file (missing the \\x93NUMPY magic)")
        }
        try reader.skip(magic.count, for: "the magic")
        let major = try reader.read(UInt8.self, for: "the version")
        let minor = try reader.read(UInt8.self, for: "the version")
        let headerLength: Int
        switch (major, minor) {
        case (1, 0): headerLength = Int(try reader.read(UInt16.self, for: "the header length"))
        case (2, 0), (3, 0): headerLength = Int(try reader.read(UInt32.self, for: "the header length"))
        default: throw reader.failure("unsupported .npy format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        let header = try NPYHeader(parsing: reader.read(headerLength, for: "the header"), path: path)
        guard let (dtype, order) = NPYHeader.dtypes[header.descr] else {
            throw reader.failure("unsupported npy dtype '\(header.descr.printable)' (supported: \(NPYHeader.supportedDescriptions))")
        }
        let (count, byteCount) = try elementAndByteCount(shape: header.shape, elementSize: dtype.byteCount,
                                                         failure: { reader.failure($0) })
        guard reader.remaining == byteCount else {
            let problem = reader.remaining < byteCount ? "truncated" : "has trailing bytes"
            throw reader.failure("\(problem): shape \(Shape.description(header.shape)) of \(header.descr.printable) needs \(byteCount) data bytes "
                                 + "but the file holds \(reader.remaining)")
        }
        var storage = TensorStorage(decoding: try reader.read(byteCount, for: "the data"),
                                    dtype: dtype, count: count, order: order)
        if header.fortranOrder { storage = storage.reorderedFromFortran(shape: header.shape) }
        return AnyTensor(shape: header.shape, storage: storage)
    }

    /// The `.npy` bytes of `tensor`.
    public static func encode(_ tensor: AnyTensor) -> [UInt8] {
        let literal = NPYHeader(descr: NPYHeader.descr(for: tensor.dtype), fortranOrder: false, shape: tensor.shape).literal
        // Version 1.0 stores the header length in 16 bits; longer headers (shapes of very high
        // rank) need 2.0's 32 bits. The header ends in a newline and is space-padded so that
        // magic + version + length + header is a multiple of the alignment.
        let version: UInt8 = magic.count + 4 + literal.utf8.count + 1 <= Int(UInt16.max) ? 1 : 2
        let prefix = magic.count + 2 + (version == 1 ? 2 : 4)
        let padding = (alignment - (prefix + literal.utf8.count + 1) % alignment) % alignment
        let headerLength = literal.utf8.count + padding + 1
        var out = [UInt8]()
        out.reserveCapacity(prefix + headerLength + tensor.count * tensor.dtype.byteCount)
        out.append(contentsOf: magic)
        out.append(contentsOf: [version, 0])
        if version == 1 { out.appendInteger(UInt16(headerLength)) } else { out.appendInteger(UInt32(headerLength)) }
        out.append(literal)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        out.append(UInt8(ascii: "\n"))
        tensor.storage.appendLittleEndianBytes(to: &out)
        return out
    }

    /// Writes `tensor` to `url` atomically.
    public static func write(_ tensor: AnyTensor, to url: URL) throws {
        try writeFileAtomically(encode(tensor), to: url)
    }
}
