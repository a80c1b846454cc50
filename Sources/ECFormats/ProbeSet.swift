import ECCore
import Foundation

/// Probe data: inputs x [n, d] and the teacher's outputs y [n, d_out] at them. Stored as an
/// `.npz` with arrays `x` and `y`.
public struct ProbeSet<T: Real>: Sendable, Equatable {
    /// The probe inputs x, one point per row [n, d].
    public var inputs: Matrix<T>
    /// The teacher's outputs y at the inputs [n, d_out].
    public var targets: Matrix<T>

    /// Pairs inputs with targets; both must have the same number of rows.
    public init(inputs: Matrix<T>, targets: Matrix<T>) throws {
        guard inputs.rows == targets.rows else {
            throw ECError.shapeMismatch("probe set: \(inputs.rows) input rows but \(targets.rows) target rows")
        }
        self.inputs = inputs
        self.targets = targets
    }

    /// Number of probe points n.
    public var count: Int { inputs.rows }

    /// Reads a probe file: arrays `x` and `y` of any numeric dtype (converted to `T`), both
    /// rank 2 with the same positive number of rows and at least one column, every value finite.
    public static func load(from url: URL) throws -> ProbeSet {
        try ProbeSet(npz: NPZFile.read(from: url), path: url.displayPath)
    }

    /// Builds a probe set from a decoded probe file; `path` names it in error messages.
    public init(npz file: NPZFile, path: String) throws {
        func matrix(_ name: String) throws -> Matrix<T> {
            guard let tensor = file[name] else {
                throw ECError.invalidFile(path: path, problem: "missing array '\(name)' (a probe file holds x [n, d] and "
                                          + "y [n, d_out]; found: \(file.names.map(\.printable).joined(separator: ", ")))")
            }
            guard tensor.rank == 2 else {
                throw ECError.invalidFile(path: path, problem: "\(name) has shape \(tensor.shape); expected rank 2 [n, d]")
            }
            guard tensor.shape[1] > 0 else {
                throw ECError.invalidFile(path: path, problem: "\(name) has shape \(tensor.shape); it needs at least one column")
            }
            return try tensor.matrix(as: T.self, name: name)
        }
        let (x, y) = (try matrix("x"), try matrix("y"))
        guard x.rows == y.rows else {
            throw ECError.shapeMismatch("\(path): x has \(x.rows) rows but y has \(y.rows); they must pair up")
        }
        guard x.rows > 0 else { throw ECError.invalidFile(path: path, problem: "holds no probe points (x and y have 0 rows)") }
        try requireFinite(x.scalars, columns: x.columns, "\(path): x")
        try requireFinite(y.scalars, columns: y.columns, "\(path): y")
        try self.init(inputs: x, targets: y)
    }

    /// The probe file's arrays, `x` and `y` in the precision of `T`.
    public var npz: NPZFile {
        NPZFile(arrays: [NamedTensor("x", AnyTensor(inputs)), NamedTensor("y", AnyTensor(targets))])
    }

    /// Writes the probe file atomically, deflated if `compressed`.
    public func save(to url: URL, compressed: Bool = false) throws {
        try npz.write(to: url, compression: compressed ? .deflated : .stored)
    }
}
