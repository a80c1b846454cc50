import CZlib
import ECCore

/// The zlib calls the formats need: CRC-32, streaming inflate and one-shot raw deflate.
enum Zlib {
    /// windowBits for a raw deflate stream without header (zip entries).
    static let rawDeflate: Int32 = -15
    /// windowBits for a gzip or zlib stream, detected from its header.
    static let gzipOrZlib: Int32 = 15 + 32

    /// How much of the inflated data is wanted. Every inflation is bounded: a few compressed
    /// bytes can claim gigabytes, so the size comes from a header, never from the stream.
    enum OutputSize {
        /// Exactly this many bytes (a declared size): more or fewer is an error.
        case exactly(Int)
        /// The first bytes only, at most this many (to read a header that declares the size).
        case prefix(Int)
    }

    /// zlib takes at most this many bytes per call (`uInt` counts).
    private static let chunk = Int(UInt32.max)

    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return UInt32(crc32_z(0, base.assumingMemoryBound(to: Bytef.self), bytes.count))
    }

    /// Inflates `input` completely. With `concatenatedMembers`, a stream end followed by more
    /// input starts a new member (gzip allows concatenated members); otherwise trailing input is
    /// an error. `what` names the stream in error messages ("gzip stream", "entry 'x.npy'").
    static func inflate(_ input: UnsafeRawBufferPointer, windowBits: Int32, size: OutputSize,
                        concatenatedMembers: Bool = false, path: String, what: String) throws -> [UInt8] {
        func failure(_ problem: String) -> ECError { .invalidFile(path: path, problem: "\(what): \(problem)") }
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw failure("zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }

        let (limit, isPrefix): (Int, Bool) = switch size {
        case .exactly(let count): (count, false)
        case .prefix(let count): (count, true)
        }
        // Allocate for the expected size, but at most 16× the input up front, so that a corrupt
        // size cannot demand a huge allocation before the data bears it out; beyond that the
        // buffer doubles (never past the limit). The spare byte lets zlib reach the stream end
        // without regrowing, and shows an overflow of an exact size.
        var output = [UInt8](repeating: 0, count: min(limit, input.count * 16) + 1)
        var produced = 0
        var consumed = 0
        inflating: while true {
            if produced == output.count {
                let grown = min(output.count * 2, limit + 1)
                output += [UInt8](repeating: 0, count: grown - output.count)
            }
            let inputChunk = min(input.count - consumed, chunk)
            let outputChunk = min(output.count - produced, chunk)
            let status = output.withUnsafeMutableBytes { out -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?
                    .advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(inputChunk)
                stream.next_out = out.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(outputChunk)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            consumed += inputChunk - Int(stream.avail_in)
            produced += outputChunk - Int(stream.avail_out)
            if produced >= limit, isPrefix { break inflating }
            if produced > limit {
                throw failure("inflates to more than its declared \(limit) bytes")
            }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                guard consumed < input.count else { break inflating }
                guard concatenatedMembers else {
                    throw failure("\(input.count - consumed) bytes of trailing data after the compressed stream")
                }
                guard inflateReset(&stream) == Z_OK else { throw failure("zlib could not restart inflating") }
            case Z_BUF_ERROR:
                // Output space was available, so zlib needed input that is not there.
                throw failure("truncated compressed stream (input ends after \(consumed) bytes)")
            case Z_NEED_DICT:
                throw failure("compressed stream needs a preset dictionary (unsupported)")
            case Z_MEM_ERROR:
                throw failure("out of memory while inflating")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw failure("corrupt compressed data (\(message))")
            }
        }
        if produced != limit, !isPrefix {
            throw failure("inflates to \(produced) bytes but its declared size is \(limit)")
        }
        output.removeLast(output.count - min(produced, limit))
        return output
    }

    /// A raw deflate stream (no zlib or gzip header) of `input` at zlib's default level.
    static func deflateRaw(_ input: UnsafeRawBufferPointer, path: String) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, rawDeflate, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ECError.invalidFile(path: path, problem: "zlib could not start deflating")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
        var produced = 0
        var consumed = 0
        var status = Z_OK
        while status == Z_OK {
            let inputChunk = min(input.count - consumed, chunk)
            let outputChunk = min(output.count - produced, chunk)
            status = output.withUnsafeMutableBytes { out -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?
                    .advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(inputChunk)
                stream.next_out = out.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(outputChunk)
                let last = consumed + inputChunk == input.count
                return deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
            }
            consumed += inputChunk - Int(stream.avail_in)
            produced += outputChunk - Int(stream.avail_out)
        }
        guard status == Z_STREAM_END else {
            throw ECError.invalidFile(path: path, problem: "zlib deflate failed (error \(status))")
        }
        output.removeLast(output.count - produced)
        return output
    }
}
