import ECCore
import Foundation

/// A safetensors file (https://github.com/huggingface/safetensors): an 8-byte little-endian header
/// length, a JSON header naming each tensor's dtype, shape and byte range, then the tensors'
/// little-endian data back to back.
///
/// Reading validates the whole layout (see `SafetensorsHeader`); every problem throws
/// `ECError.invalidFile` with a one-line message naming the file and, where there is one, the
/// tensor. Supported dtypes: F32, F64, U8, I32, I64.
public struct SafetensorsFile: Sendable, Equatable {
    /// The tensors in file order (by data offset) after reading; written in this order.
    public var tensors: [NamedTensor]
    /// The header's `__metadata__` string map.
    public var metadata: [String: String]

    /// A file holding `tensors` (written in this order) and `metadata`.
    public init(tensors: [NamedTensor] = [], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`, if there is one.
    public subscript(name: String) -> AnyTensor? {
        tensors.first { $0.name == name }?.tensor
    }

    /// Reads and validates the file at `url`.
    public static func read(from url: URL) throws -> SafetensorsFile {
        try SafetensorsFile(decoding: readFile(url), path: url.displayPath)
    }

    /// Decodes a file's bytes; `path` names the file in error messages.
    public init(decoding bytes: [UInt8], path: String) throws {
        self = try bytes.withUnsafeBytes { raw in
            guard raw.count >= 8 else {
                throw ECError.invalidFile(path: path, problem:
                    "file is \(raw.count) bytes, too short for the 8-byte header length of a safetensors file")
            }
            var reader = try ByteReader(raw, path: path)
            let headerLength = try reader.read(UInt64.self, for: "the header length")
            guard headerLength <= UInt64(reader.remaining) else {
                throw ECError.invalidFile(path: path, problem:
                    "header length \(headerLength) exceeds the \(reader.remaining) bytes after it; truncated or not a safetensors file")
            }
            let headerBytes = try reader.read(Int(headerLength), for: "the JSON header")
            let data = UnsafeRawBufferPointer(rebasing: raw[reader.offset...])
            let header = try SafetensorsHeader(parsing: headerBytes, dataSize: data.count, path: path)
            let tensors = header.entries.map { entry in
                let storage = TensorStorage(decoding: UnsafeRawBufferPointer(rebasing: data[entry.begin ..< entry.end]),
                                            dtype: entry.dtype, count: entry.count, order: .little)
                return NamedTensor(entry.name, AnyTensor(shape: entry.shape, storage: storage))
            }
            return SafetensorsFile(tensors: tensors, metadata: header.metadata)
        }
    }

    /// The file's bytes: header (space-padded so that the data starts on an 8-byte boundary, as
    /// the Python writer does) and the tensors' data in `tensors` order. Throws
    /// `ECError.invalidArgument` for duplicate or reserved tensor names.
    public func encoded() throws -> [UInt8] {
        var seen = Set<String>()
        for name in tensors.map(\.name) {
            guard name != SafetensorsHeader.metadataKey else {
                throw ECError.invalidArgument("safetensors: the tensor name '\(name)' is reserved for metadata")
            }
            guard seen.insert(name).inserted else {
                throw ECError.invalidArgument("safetensors: duplicate tensor name '\(name)'")
            }
        }
        var header = SafetensorsHeader.json(for: tensors, metadata: metadata)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        let dataSize = tensors.reduce(0) { $0 + $1.tensor.count * $1.tensor.dtype.byteCount }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + dataSize)
        out.appendInteger(UInt64(header.count))
        out.append(contentsOf: header)
        for entry in tensors { entry.tensor.storage.appendLittleEndianBytes(to: &out) }
        return out
    }

    /// Writes the file atomically (temporary file in the same directory, then rename).
    public func write(to url: URL) throws {
        try writeFileAtomically(encoded(), to: url)
    }
}
