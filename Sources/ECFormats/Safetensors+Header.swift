import ECCore
import Foundation

/// A parsed and validated safetensors header.
///
/// Validation follows the reference implementation: every tensor has a known dtype, a shape of
/// non-negative dimensions and a byte range matching shape × dtype size; sorted by offset, the
/// ranges tile the data region exactly — starting at 0, no overlap, no gap, no trailing bytes.
struct SafetensorsHeader {
    struct Entry {
        var name: String
        var dtype: TensorDType
        var shape: [Int]
        var count: Int
        var begin: Int
        var end: Int
    }

    static let metadataKey = "__metadata__"

    /// safetensors dtype codes.
    static let codes: [TensorDType: String] = [
        .float32: "F32", .float64: "F64", .uint8: "U8", .int32: "I32", .int64: "I64",
    ]
    static let dtypes = Dictionary(uniqueKeysWithValues: codes.map { ($1, $0) })
    static let supportedCodes = TensorDType.allCases.compactMap { codes[$0] }.joined(separator: ", ")

    /// Tensors sorted by data offset.
    var entries: [Entry]
    var metadata: [String: String]

    /// Parses the JSON header and checks it against a data region of `dataSize` bytes.
    init(parsing bytes: UnsafeRawBufferPointer, dataSize: Int, path: String) throws {
        func failure(_ problem: String) -> ECError { .invalidFile(path: path, problem: problem) }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw failure("header is not valid UTF-8")
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw failure(Self.describe(error))
        }
        if let key = firstDuplicateKey(inJSON: bytes) {
            throw failure("header has the key '\(key.printable)' twice in one object")
        }
        metadata = raw.metadata
        entries = try raw.entries.map { name, entry in
            func invalid(_ problem: String) -> ECError { failure("tensor '\(name.printable)': \(problem)") }
            guard let dtype = Self.dtypes[entry.dtype] else {
                throw invalid("unsupported dtype '\(entry.dtype.printable)' (supported: \(Self.supportedCodes))")
            }
            let shape = Shape.description(entry.shape)
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw invalid("shape \(shape) has a negative dimension")
            }
            let (count, byteCount) = try elementAndByteCount(shape: entry.shape, elementSize: dtype.byteCount, failure: invalid)
            guard entry.offsets.count == 2, entry.offsets[0] >= 0, entry.offsets[0] <= entry.offsets[1] else {
                throw invalid("data_offsets \(Shape.description(entry.offsets)) is not a [begin, end] pair with 0 ≤ begin ≤ end")
            }
            let (begin, end) = (entry.offsets[0], entry.offsets[1])
            guard end - begin == byteCount else {
                throw invalid("data_offsets \(entry.offsets) span \(end - begin) bytes but shape \(shape) "
                              + "of \(entry.dtype) needs \(byteCount)")
            }
            guard end <= dataSize else {
                throw invalid("data_offsets \(entry.offsets) extend past the end of the \(dataSize)-byte data region; truncated file?")
            }
            return Entry(name: name, dtype: dtype, shape: entry.shape, count: count, begin: begin, end: end)
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        try checkTiling(dataSize: dataSize, failure: failure)
    }

    /// The sorted byte ranges must cover the data region exactly once.
    private func checkTiling(dataSize: Int, failure: (String) -> ECError) throws {
        var position = 0
        var previous: String?
        for entry in entries {
            let name = entry.name.printable
            if entry.begin < position {
                throw failure("tensors '\(previous ?? "")' and '\(name)' overlap (\(name) starts at byte "
                              + "\(entry.begin) of the data, before \(previous ?? "") ends at \(position))")
            }
            if entry.begin > position {
                let after = previous.map { "after tensor '\($0)'" } ?? "at the start of the data"
                throw failure("\(entry.begin - position) unused bytes \(after), before tensor '\(name)' "
                              + "(tensors must be contiguous)")
            }
            position = entry.end
            previous = name
        }
        guard position == dataSize else {
            throw failure("\(dataSize - position) bytes of trailing data after the last tensor")
        }
    }

    /// The compact JSON header for `tensors` laid out back to back in order.
    static func json(for tensors: [NamedTensor], metadata: [String: String]) -> [UInt8] {
        var fields = [String]()
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            fields.append("\(jsonString(metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for entry in tensors {
            let size = entry.tensor.count * entry.tensor.dtype.byteCount
            let shape = entry.tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(entry.name)):{\"dtype\":\"\(codes[entry.tensor.dtype]!)\","
                          + "\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        return Array("{\(fields.joined(separator: ","))}".utf8)
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + String(format: "%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A one-line account of why the header did not decode, naming the tensor where possible.
    private static func describe(_ error: DecodingError) -> String {
        let notJSON = "header is not valid JSON (or a shape or offset is not an integer)"
        let context: DecodingError.Context
        let problem: String
        switch error {
        case .keyNotFound(let key, let c):
            (context, problem) = (c, "missing '\(key.stringValue)'")
        case .valueNotFound(_, let c):
            (context, problem) = (c, "unexpected null")
        case .typeMismatch(let type, let c):
            (context, problem) = (c, "wrong type (expected \(jsonTypeName(type)))")
        case .dataCorrupted(let c):
            (context, problem) = (c, c.codingPath.isEmpty ? notJSON : "malformed value")
        @unknown default:
            return notJSON
        }
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue.printable }
        guard let first = keys.first else {
            return problem == notJSON ? problem : "header is not a JSON object of tensors"
        }
        let field = keys.dropFirst().joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        let subject = first == metadataKey.printable ? "\(metadataKey) (must map strings to strings)" : "tensor '\(first)'"
        return field.isEmpty ? "\(subject): \(problem)" : "\(subject): '\(field)': \(problem)"
    }

    /// How a Swift type the decoder expected reads in JSON terms.
    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is [Int].Type, is [Any].Type: "an array"
        default: String(describing: type).hasPrefix("Dictionary") ? "an object" : "\(type)"
        }
    }
}

/// The header as JSON: tensor entries and the optional metadata map under one object.
private struct RawHeader: Decodable {
    var entries: [(String, RawEntry)] = []
    var metadata: [String: String] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == SafetensorsHeader.metadataKey {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }
}

private struct RawEntry: Decodable {
    var dtype: String
    var shape: [Int]
    var offsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case offsets = "data_offsets"
    }
}
