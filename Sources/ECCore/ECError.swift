/// Errors a user can cause. Each renders as one line that names the file, flag or value at fault;
/// the command line prints it and exits with status 1.
public enum ECError: Error, CustomStringConvertible, Equatable {
    /// A flag or parameter value that cannot work (unknown activation, width ≤ 0, ...).
    case invalidArgument(String)
    /// A file that cannot be read or does not have the expected content.
    case invalidFile(path: String, problem: String)
    /// Shapes that do not fit together (probe against teacher, weights against widths).
    case shapeMismatch(String)
    /// Data that contains NaN or infinities.
    case nonFiniteData(String)
    /// A compute device or driver problem.
    case device(String)

    /// The error with `context` (what was being done, naming the files involved) before its
    /// message, for errors raised where the files' names are unknown. A file error already names
    /// its file and is returned as it is.
    public func inContext(_ context: String) -> ECError {
        switch self {
        case .invalidArgument(let message): .invalidArgument("\(context): \(message)")
        case .invalidFile: self
        case .shapeMismatch(let message): .shapeMismatch("\(context): \(message)")
        case .nonFiniteData(let message): .nonFiniteData("\(context): \(message)")
        case .device(let message): .device("\(context): \(message)")
        }
    }

    public var description: String {
        switch self {
        case .invalidArgument(let message): message
        case .invalidFile(let path, let problem): "\(path): \(problem)"
        case .shapeMismatch(let message): message
        case .nonFiniteData(let message): message
        case .device(let message): message
        }
    }
}
