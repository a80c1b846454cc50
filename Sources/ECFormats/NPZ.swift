import ECCore
import Foundation

/// How the arrays in a written `.npz` are stored.
public enum NPZCompression: Sendable {
    /// Uncompressed, as `np.savez` writes.
    case stored
    /// Deflated, as `np.savez_compressed` writes.
    case deflated
}

/// NumPy's `.npz`: a zip archive holding one `NAME.npy` entry per array.
///
/// Reading goes through the central directory and supports stored and deflated entries and
/// ZIP64 records (NumPy writes every entry with ZIP64 extra fields), and checks each entry's
/// CRC-32. Errors name the archive and the entry.
public struct NPZFile: Sendable, Equatable {
    /// The arrays in archive order, named without the `.npy` suffix.
    public var arrays: [NamedTensor]

    /// An archive of `arrays`, written in this order.
    public init(arrays: [NamedTensor] = []) {
        self.arrays = arrays
    }

    /// The array called `name`, if there is one.
    public subscript(name: String) -> AnyTensor? {
        arrays.first { $0.name == name }?.tensor
    }

    /// The array names in archive order.
    public var names: [String] { arrays.map(\.name) }

    /// Reads the archive at `url`.
    public static func read(from url: URL) throws -> NPZFile {
        try NPZFile(decoding: readFile(url), path: url.displayPath)
    }

    /// Decodes an archive's bytes; `path` names the file in error messages. The inflated arrays
    /// must fit `memoryBudget` together with the archive.
    public init(decoding bytes: [UInt8], path: String, memoryBudget: UInt64 = MemoryBudget.available) throws {
        var arrays = [NamedTensor]()
        var seen = Set<String>()
        try bytes.withUnsafeBytes { raw in
            try ZipArchive.forEachEntry(in: raw, path: path, memoryBudget: memoryBudget) { entryName, content in
                let shown = entryName.printable
                guard entryName.hasSuffix(".npy") else {
                    throw ECError.invalidFile(path: path, problem: "entry '\(shown)' is not a .npy array")
                }
                let name = String(entryName.dropLast(4))
                guard seen.insert(name).inserted else {
                    throw ECError.invalidFile(path: path, problem: "duplicate entry '\(shown)'")
                }
                arrays.append(NamedTensor(name, try NPY.decode(content, path: "\(path) (entry \(shown))")))
            }
        }
        self.arrays = arrays
    }

    /// The archive's bytes. ZIP64 records are used only where sizes need them, unless
    /// `forceZip64` (NumPy's own choice) asks for them on every entry. Throws
    /// `ECError.invalidArgument` for duplicate names.
    public func encoded(compression: NPZCompression = .stored, forceZip64: Bool = false) throws -> [UInt8] {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw ECError.invalidArgument("npz: duplicate array name '\(name)'")
        }
        return try ZipArchive.encode(arrays.map { ($0.name + ".npy", NPY.encode($0.tensor)) },
                                     method: compression == .deflated ? .deflated : .stored,
                                     forceZip64: forceZip64, path: "npz archive")
    }

    /// Writes the archive to `url` atomically.
    public func write(to url: URL, compression: NPZCompression = .stored, forceZip64: Bool = false) throws {
        try writeFileAtomically(encoded(compression: compression, forceZip64: forceZip64), to: url)
    }
}
