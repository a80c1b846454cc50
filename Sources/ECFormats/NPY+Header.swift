import ECCore

/// The header of a `.npy` file: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct NPYHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// The descr strings read, with the element type and byte order each stands for.
    static let dtypes: [String: (dtype: TensorDType, order: ByteOrder)] = [
        "<f4": (.float32, .little), "<f8": (.float64, .little), "<i4": (.int32, .little), "<i8": (.int64, .little),
        ">f4": (.float32, .big), ">f8": (.float64, .big), ">i4": (.int32, .big), ">i8": (.int64, .big),
        "|u1": (.uint8, .little), "<u1": (.uint8, .little), ">u1": (.uint8, .little), "u1": (.uint8, .little),
    ]
    static let supportedDescriptions = "<f4, <f8, |u1, <i4, <i8, >f4, >f8, >i4, >i8"

    /// The descr written for each element type (little-endian, as NumPy writes on x86 and ARM).
    static func descr(for dtype: TensorDType) -> String {
        switch dtype {
        case .float32: "<f4"
        case .float64: "<f8"
        case .uint8: "|u1"
        case .int32: "<i4"
        case .int64: "<i8"
        }
    }

    init(descr: String, fortranOrder: Bool, shape: [Int]) {
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    /// Parses the dict literal; `path` names the file in error messages.
    init(parsing bytes: UnsafeRawBufferPointer, path: String) throws {
        var parser = PythonLiteralParser(bytes: bytes, path: path)
        guard case .dict(let items) = try parser.parseValue(), parser.atEnd() else {
            throw parser.failure("header is not a Python dict literal")
        }
        var descr: String?, fortranOrder: Bool?, shape: [Int]?
        for (key, value) in items {
            switch (key, value) {
            case ("descr", .string(let text)): descr = text
            case ("descr", _): throw parser.failure("unsupported npy dtype \(value) (structured dtypes are not supported; "
                                                    + "supported: \(Self.supportedDescriptions))")
            case ("fortran_order", .bool(let flag)): fortranOrder = flag
            case ("shape", .sequence(let items)):
                shape = try items.map { item in
                    guard case .integer(let n) = item, n >= 0 else {
                        throw parser.failure("shape \(value) must be a tuple of non-negative integers")
                    }
                    return n
                }
            case ("fortran_order", _), ("shape", _):
                throw parser.failure("header value for '\(key.printable)' has the wrong type: \(value)")
            default:
                throw parser.failure("header has an unexpected key '\(key.printable)'")
            }
        }
        guard let descr, let fortranOrder, let shape else {
            throw parser.failure("header lacks one of 'descr', 'fortran_order' and 'shape'")
        }
        self.init(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }

    /// The dict literal NumPy itself writes, without padding.
    var literal: String {
        let dims = shape.map(String.init)
        let tuple = dims.count == 1 ? "(\(dims[0]),)" : "(\(dims.joined(separator: ", ")))"
        return "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(tuple), }"
    }
}

/// A Python literal in an npy header.
enum PythonLiteral: CustomStringConvertible {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case none
    case sequence([PythonLiteral])
    case dict([(String, PythonLiteral)])

    var description: String {
        switch self {
        case .string(let text): "'\(text.printable)'"
        case .integer(let n): "\(n)"
        case .bool(let flag): flag ? "True" : "False"
        case .none: "None"
        // A header may hold thousands of items; errors show the first few.
        case .sequence(let items): "(\(Self.list(items.map(\.description))))"
        case .dict(let items): "{\(Self.list(items.map { "'\($0.0.printable)': \($0.1)" }))}"
        }
    }

    private static func list(_ items: [String]) -> String {
        items.count <= 8 ? items.joined(separator: ", ") : items.prefix(8).joined(separator: ", ") + ", … (\(items.count) items)"
    }
}

/// A recursive-descent parser for the subset of Python literals npy headers use: strings,
/// integers, True/False/None, tuples, lists and dicts with string keys. Nesting is bounded so a
/// hostile header cannot exhaust the stack.
struct PythonLiteralParser {
    private let bytes: UnsafeRawBufferPointer
    private let path: String
    private var position = 0
    private var depth = 0
    private static let maximumDepth = 16

    init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    func failure(_ problem: String) -> ECError { .invalidFile(path: path, problem: problem) }

    /// Whether only whitespace remains.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    mutating func parseValue() throws -> PythonLiteral {
        skipWhitespace()
        guard position < bytes.count else { throw failure("header ends in the middle of a value") }
        switch bytes[position] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "("): return .sequence(try parseSequence(closing: ")"))
        case UInt8(ascii: "["): return .sequence(try parseSequence(closing: "]"))
        case UInt8(ascii: "{"): return try parseDict()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        default:
            let word = parseWord()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw failure("header has an unexpected token '\(word.printable(limit: 20))' at byte \(position)")
            }
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    /// Consumes `character` after optional whitespace if it is next.
    private mutating func consume(_ character: Unicode.Scalar) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ character: Unicode.Scalar) throws {
        guard consume(character) else { throw failure("header is malformed: expected '\(character)' at byte \(position)") }
    }

    private mutating func parseString() throws -> String {
        let quote = bytes[position]
        position += 1
        let start = position
        while position < bytes.count, bytes[position] != quote {
            guard bytes[position] != UInt8(ascii: "\\") else { throw failure("header string has an escape sequence (unsupported)") }
            position += 1
        }
        guard position < bytes.count else { throw failure("header has an unterminated string") }
        position += 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< position - 1]), as: UTF8.self)
    }

    private mutating func parseInteger() throws -> Int {
        let negative = consume("-")
        var value = 0
        var digits = 0
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw failure("header has an integer too large") }
            value = sum
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw failure("header has a malformed number at byte \(position)") }
        // Python 2 wrote long integers with an L suffix.
        if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }
        return negative ? -value : value
    }

    private mutating func parseWord() -> String {
        let start = position
        while position < bytes.count, bytes[position] < 0x80, Character(Unicode.Scalar(bytes[position])).isLetter {
            position += 1
        }
        if position == start, position < bytes.count { position += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< position]), as: UTF8.self)
    }

    private mutating func nested<R>(_ body: (inout PythonLiteralParser) throws -> R) throws -> R {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("header nests too deeply") }
        return try body(&self)
    }

    private mutating func parseSequence(closing: Unicode.Scalar) throws -> [PythonLiteral] {
        position += 1
        return try nested { parser in
            var items = [PythonLiteral]()
            while !parser.consume(closing) {
                items.append(try parser.parseValue())
                if !parser.consume(",") {
                    try parser.expect(closing)
                    break
                }
            }
            return items
        }
    }

    private mutating func parseDict() throws -> PythonLiteral {
        position += 1
        return try nested { parser in
            var items = [(String, PythonLiteral)]()
            while !parser.consume("}") {
                guard case .string(let key) = try parser.parseValue() else { throw parser.failure("header dict has a non-string key") }
                try parser.expect(":")
                items.append((key, try parser.parseValue()))
                if !parser.consume(",") {
                    try parser.expect("}")
                    break
                }
            }
            return .dict(items)
        }
    }
}
