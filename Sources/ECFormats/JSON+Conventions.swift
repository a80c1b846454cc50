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
