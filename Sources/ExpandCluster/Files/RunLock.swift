import ECCore
import ECFormats
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a run directory's `.lock` file, held until the process ends or the
/// lock is released. The file holds the holder's PID, so that a second process can say who has
/// the directory; the kernel drops the lock of a process that dies, so a stale file never blocks.
final class RunLock {
    static let name = ".lock"
    private let descriptor: Int32

    init(directory: URL) throws {
        let url = directory.appendingPathComponent(Self.name)
        let path = url.relativePath
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else {
            throw ECError.invalidFile(path: path, problem: "cannot open the run's lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = (try? readFile(url)).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            close(descriptor)
            guard reason == EWOULDBLOCK else {
                throw ECError.invalidFile(path: path, problem: "cannot lock the run: \(String(cString: strerror(reason)))")
            }
            let who = holder.flatMap { Int32($0) }.map { "process \($0)" } ?? "another process"
            throw ECError.invalidArgument("\(directory.relativePath) is in use by \(who) (another `ec identify` on this run); "
                                          + "wait for it to finish or stop it first")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(descriptor) }
}
