import Foundation

/// Built programs of one context (hence one device) by source and options, in the manner of
/// CLBlast's program cache: a driver compile takes from a tenth of a second to seconds, and the
/// engine asks for the same few variants over and over.
final class ProgramCache: @unchecked Sendable {
    // Sendable by hand: `programs` is only touched under `lock`.

    /// The whole source is the key, not a digest of it: the dictionary hashes it anyway, and
    /// comparing the text on a hit rules out collisions at the cost of keeping a few kilobytes.
    private struct Key: Hashable {
        let source: String
        let options: String
    }

    private var programs: [Key: OpenCLProgram] = [:]
    private let lock = NSLock()

    /// The cached program for `source` and `options`, or the result of `build`, cached. The lock
    /// is held while building so that threads asking for the same variant compile it once; the
    /// variants are compiled up front in practice, so the serialisation costs nothing.
    func program(source: String, options: String, build: () throws -> OpenCLProgram) throws -> OpenCLProgram {
        let key = Key(source: source, options: options)
        return try lock.withLock {
            if let program = programs[key] { return program }
            let program = try build()
            programs[key] = program
            return program
        }
    }
}
