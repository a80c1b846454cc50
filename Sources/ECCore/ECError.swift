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
