import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

/// Runs `body`, which must throw an `ECError` whose one-line message contains every fragment
/// (the file or tensor it names and the problem). Returns the error for further checks.
@discardableResult
func expectECError(_ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () throws -> Void) -> ECError? {
    do {
        try body()
        Issue.record("expected an ECError mentioning \(fragments), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ECError {
        let message = error.description
        for fragment in fragments where !message.contains(fragment) {
            Issue.record("error message \"\(message)\" does not mention \"\(fragment)\"", sourceLocation: sourceLocation)
        }
        if message.contains("\n") {
            Issue.record("error message is not one line: \"\(message)\"", sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected an ECError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Deterministic values that Swift and the Python side of the interop tests both compute with
/// the same IEEE operations, so files can be compared exactly across languages. The Python
/// twin is `Fixture.pythonValues`.
enum Fixture {
    static func storage(_ dtype: TensorDType, count: Int) -> TensorStorage {
        switch dtype {
        case .float32: .float32((0..<count).map { Float(Double($0) / 7 - 3) })
        case .float64: .float64((0..<count).map { Double($0) / 7 - 3 })
        case .uint8: .uint8((0..<count).map { UInt8($0 * 37 % 256) })
        case .int32: .int32((0..<count).map { Int32(truncatingIfNeeded: $0 * 1_000_003 - 5) })
        case .int64: .int64((0..<count).map { Int64($0) * (1 << 40) - 7 })
        }
    }

    static func tensor(_ dtype: TensorDType, _ shape: [Int]) -> AnyTensor {
        AnyTensor(shape: shape, storage: storage(dtype, count: shape.reduce(1, *)))
    }

    /// Python: `vals(shape, dtype)` gives the same values as `tensor`.
    static let pythonValues = """
        import numpy as np
        def vals(shape, dt):
            n = int(np.prod(shape, dtype=np.int64))
            i = np.arange(n, dtype=np.int64)
            kind = np.dtype(dt)
            if kind.kind == 'f':
                v = i / 7.0 - 3
            elif kind.kind == 'u':
                v = i * 37 % 256
            elif kind.itemsize == 4:
                v = (i * 1000003 - 5).astype(np.int32)
            else:
                v = i * 2**40 - 7
            return v.astype(dt).reshape(shape)
        def specials(dt):
            f = np.finfo(dt)
            return np.array([np.nan, np.inf, -np.inf, -0.0, f.smallest_subnormal, f.max, f.tiny, 1.0], dtype=dt)

        """

    /// NaN, ±Inf, −0, the smallest subnormal, the largest finite and the smallest normal value:
    /// the bit patterns a sloppy conversion would lose. Python: `specials(dtype)`.
    static func specials<T: Real>(_: T.Type) -> AnyTensor {
        AnyTensor(shape: [8], scalars: [T.nan, T.infinity, -T.infinity, -T(0), T.leastNonzeroMagnitude,
                                       T.greatestFiniteMagnitude, T.leastNormalMagnitude, 1])
    }

    /// Random shapes of rank 0…4 with dimensions 0…5 (so empty arrays occur) and random values
    /// covering each dtype's range.
    static func randomTensor(_ dtype: TensorDType, random: inout RandomSource) -> AnyTensor {
        let shape = (0..<Int(random.next() % 5)).map { _ in Int(random.next() % 6) }
        let count = shape.reduce(1, *)
        let storage: TensorStorage = switch dtype {
        case .float32: .float32((0..<count).map { _ in Float(random.normal()) })
        case .float64: .float64((0..<count).map { _ in random.normal() * 1e10 })
        case .uint8: .uint8((0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case .int32: .int32((0..<count).map { _ in Int32(truncatingIfNeeded: random.next()) })
        case .int64: .int64((0..<count).map { _ in Int64(bitPattern: random.next()) })
        }
        return AnyTensor(shape: shape, storage: storage)
    }
}

/// Whether two tensors have the same shape, dtype and element bit patterns (any NaN matches
/// any NaN, since payloads are not part of the formats' contract).
func identical(_ a: AnyTensor, _ b: AnyTensor) -> Bool {
    func bits(_ storage: TensorStorage) -> [UInt64] {
        switch storage {
        case .float32(let v): v.map { $0.isNaN ? UInt64.max : UInt64($0.bitPattern) }
        case .float64(let v): v.map { $0.isNaN ? UInt64.max : $0.bitPattern }
        case .uint8(let v): v.map { UInt64($0) }
        case .int32(let v): v.map { UInt64(bitPattern: Int64($0)) }
        case .int64(let v): v.map { UInt64(bitPattern: $0) }
        }
    }
    return a.shape == b.shape && a.dtype == b.dtype && bits(a.storage) == bits(b.storage)
}

/// A temporary directory for one test, removed afterwards.
@discardableResult
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = try makeTemporaryDirectory("ec-formats")
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Writes raw bytes (for hand-made and corrupted files).
func writeBytes(_ bytes: [UInt8], to url: URL) throws {
    try Data(bytes).write(to: url)
}

func readBytes(_ url: URL) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url))
}

/// A safetensors file with a hand-written JSON header (not padded) and raw data.
func rawSafetensors(header: String, data: [UInt8] = []) -> [UInt8] {
    var bytes = [UInt8]()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: header.utf8)
    bytes.append(contentsOf: data)
    return bytes
}

/// Runs a Python script (preceded by the fixture definitions) with `arguments`; records a test
/// failure carrying Python's output if Python is missing or the script exits non-zero.
func runPython(_ script: String, arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
    if let problem = Python.requireModules(["numpy", "safetensors"]) {
        Issue.record("Python interop unavailable: \(problem)", sourceLocation: sourceLocation)
        return
    }
    do {
        let outcome = try Python.run(Fixture.pythonValues + script, arguments: arguments)
        if outcome.status != 0 {
            Issue.record("Python exited with status \(outcome.status):\n\(outcome.output)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("Python could not run: \(error)", sourceLocation: sourceLocation)
    }
}

/// CRC-32 (IEEE, as zip and gzip use), computed independently of zlib to build and patch
/// test archives.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
    }
    return ~crc
}

/// A gzip member holding `content` in stored (uncompressed) deflate blocks: valid gzip that a
/// test can build without a compressor.
func gzipStored(_ content: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
    var blocks = stride(from: 0, to: content.count, by: 65535).map { content[$0 ..< min($0 + 65535, content.count)] }
    if blocks.isEmpty { blocks = [[]] }
    for (index, block) in blocks.enumerated() {
        let length = UInt16(block.count)
        out.append(index == blocks.count - 1 ? 1 : 0)
        out += [UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8(~length >> 8)]
        out += block
    }
    for value in [crc32(content), UInt32(truncatingIfNeeded: content.count)] {
        out += (0..<4).map { UInt8((value >> (8 * UInt32($0))) & 0xff) }
    }
    return out
}
