import Foundation

/// The cores this process trains on. A process bound to some cores (`taskset`, mpirun's
/// binding) uses those; an unbound one uses the machine's, shared equally among the ranks of an
/// MPI job on this host (`OMPI_COMM_WORLD_LOCAL_SIZE`), so that ranks do not oversubscribe it.
public enum ProcessorShare {
    public static let cores: Int = {
        let online = ProcessInfo.processInfo.activeProcessorCount
        if let allowed = allowedCores, allowed > 0, allowed < online { return allowed }
        let ranksHere = Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? "") ?? 1
        return max(1, online / max(1, ranksHere))
    }()

    /// The cores in this process's affinity mask, from Linux's /proc/self/status ("Cpus_allowed:
    /// ff,ffffffff", hexadecimal); nil elsewhere. (sched_getaffinity is not visible to Swift.)
    private static var allowedCores: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
        return mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
    }
}
