import ECCore
import Foundation

// Every JSON this project writes (reports, settings, logs, checkpoint metadata, --json output)
// follows one convention, so that a value that can be written can always be read back:
// - JSON has no NaN or infinity, yet a diverged student's loss is one (and a stopped schedule's
//   best loss starts at infinity); they are written as the strings "nan", "inf" and "-inf", as
//   NumPy prints them, and read back the same way. Foundation's default throws instead, which
//   would turn one diverged student into a failed checkpoint.
// - Keys are sorted, so that files compare line by line across runs.

extension JSONEncoder.NonConformingFloatEncodingStrategy {
    public static var asStrings: Self { .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan") }
}

extension JSONDecoder.NonConformingFloatDecodingStrategy {
    public static var asStrings: Self { .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan") }
}

extension JSONEncoder {
    /// Whole files and printed output, which people open: pretty-printed.
    public static var forFiles: JSONEncoder { conventional(.prettyPrinted) }

    /// One record per line (JSON Lines, metadata strings, `--json` lines of a stream).
    public static var forLines: JSONEncoder { conventional([]) }

    private static func conventional(_ formatting: OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting.union(.sortedKeys)
        encoder.nonConformingFloatEncodingStrategy = .asStrings
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.forFiles` and `.forLines` write.
    public static var forFiles: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .asStrings
        return decoder
    }
}

/// Writes `value` as a pretty-printed JSON file, atomically (`writeFileAtomically`).
public func writeJSONAtomically<T: Encodable>(_ value: T, to url: URL) throws {
    try writeFileAtomically(Array(try JSONEncoder.forFiles.encode(value)), to: url)
}

/// Decodes the JSON file `path` holds as `data`, with an error that names the file and the field
/// at fault ("options.expansion.polish.patience: expected an integer"), not Foundation's "The data isn't in
/// the correct format".
public func decodeJSONFile<T: Decodable>(_: T.Type, from data: Data, path: String) throws -> T {
    do {
        return try JSONDecoder.forFiles.decode(T.self, from: data)
    } catch let error as DecodingError {
        throw ECError.invalidFile(path: path, problem: describe(error))
    }
}

/// A decoding error in one line: the field's path (from the root, "[2]" for array elements) and
/// the problem.
private func describe(_ error: DecodingError) -> String {
    func field(_ path: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
        let parts = (path + (key.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue.printable }
        return parts.isEmpty ? "the top level" : "field '\(parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "["))'"
    }
    switch error {
    case .keyNotFound(let key, let context): return "\(field(context.codingPath, key)) is missing"
    case .valueNotFound(let type, let context): return "\(field(context.codingPath)) is null; expected \(jsonType(type))"
    case .typeMismatch(let type, let context): return "\(field(context.codingPath)) has the wrong type; expected \(jsonType(type))"
    case .dataCorrupted(let context):
        return context.codingPath.isEmpty ? "is not valid JSON"
            : "\(field(context.codingPath)) has an invalid value (\(context.debugDescription.printable))"
    @unknown default: return "cannot be decoded"
    }
}

/// A Swift type as JSON calls it.
private func jsonType(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    case is Int.Type, is UInt64.Type, is Int32.Type: return "an integer"
    case is Double.Type, is Float.Type: return "a number"
    default:
        let name = String(describing: type)
        return name.hasPrefix("Array") ? "an array" : name.hasPrefix("Dictionary") ? "an object" : "a \(name)"
    }
}
