import ECCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension URL {
    /// The path as the user gave it (relative paths stay relative), for error messages.
    var displayPath: String { relativePath }
}

/// Throws unless `info` describes a regular file.
private func requireRegular(_ info: stat, path: String) throws {
    guard (info.st_mode & S_IFMT) == S_IFREG else {
        throw ECError.invalidFile(path: path, problem: (info.st_mode & S_IFMT) == S_IFDIR
                                  ? "is a directory, not a file" : "is not a regular file (a FIFO, socket or device)")
    }
}

/// The whole content of a regular file. Reads straight into the array's storage (no intermediate
/// `Data`), so a large file costs one copy from the kernel.
public func readFile(_ url: URL) throws -> [UInt8] {
    let path = url.displayPath
    func failure(_ action: String) -> ECError {
        .invalidFile(path: path, problem: "cannot \(action): \(String(cString: strerror(errno)))")
    }
    // Opening a FIFO blocks until a writer comes, so the type is checked before opening, and the
    // open does not block should the path be swapped in between (fstat then refuses it).
    var info = stat()
    guard stat(url.path, &info) == 0 else { throw failure("open") }
    try requireRegular(info, path: path)
    let descriptor = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { throw failure("open") }
    defer { close(descriptor) }
    guard fstat(descriptor, &info) == 0 else { throw failure("stat") }
    try requireRegular(info, path: path)
    let size = Int(info.st_size)
    var readError: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        initialized = 0
        while initialized < size {
            let got = read(descriptor, buffer.baseAddress! + initialized, size - initialized)
            if got < 0, errno == EINTR { continue }
            if got < 0 { readError = errno }
            if got <= 0 { break }
            initialized += got
        }
    }
    if readError != 0 {
        errno = readError
        throw failure("read")
    }
    guard bytes.count == size else {
        throw ECError.invalidFile(path: path, problem: "file shrank while being read (\(bytes.count) of \(size) bytes)")
    }
    return bytes
}

/// The content of `url`, or nil when nothing is there (an optional file not written yet).
public func readFileIfPresent(_ url: URL) throws -> [UInt8]? {
    var info = stat()
    if stat(url.path, &info) != 0, errno == ENOENT { return nil }
    return try readFile(url)
}

/// Replaces the file at `url` with `bytes` atomically: the bytes go to a temporary file in the
/// same directory (same file system, so the rename cannot degrade into a copy), which is flushed
/// and then renamed over the target. Readers see the old file or the new one, never a mixture,
/// and a crash leaves at most a stray temporary file.
public func writeFileAtomically(_ bytes: [UInt8], to url: URL) throws {
    let path = url.displayPath
    try requireReplaceable(url)
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    func failure(_ action: String) -> ECError {
        .invalidFile(path: path, problem: "cannot \(action): \(String(cString: strerror(errno)))")
    }
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure("create a temporary file next to it") }
    var written = 0
    var writeError: Int32 = 0
    bytes.withUnsafeBytes { buffer in
        while written < buffer.count {
            let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { writeError = errno; break }
            written += count
        }
    }
    if writeError == 0, fsync(descriptor) != 0 { writeError = errno }
    if close(descriptor) != 0, writeError == 0 { writeError = errno }
    if writeError == 0, rename(temporary.path, url.path) != 0 { writeError = errno }
    if writeError != 0 {
        unlink(temporary.path)
        errno = writeError
        throw failure("write")
    }
}

/// Text written atomically, as UTF-8 (reports, SVG pictures).
public func writeFileAtomically(_ text: String, to url: URL) throws {
    try writeFileAtomically(Array(text.utf8), to: url)
}

/// A file is replaced by renaming a new one over it: a device or FIFO there would be swapped for
/// a regular file (as root, /dev/null for everyone), so only files and links are replaced.
private func requireReplaceable(_ url: URL) throws {
    var info = stat()
    guard lstat(url.path, &info) == 0 else { return }
    switch info.st_mode & S_IFMT {
    case S_IFREG, S_IFLNK: break
    case S_IFDIR: throw ECError.invalidFile(path: url.displayPath, problem: "is a directory; expected the name of a file to write")
    default:
        throw ECError.invalidFile(path: url.displayPath, problem: "is a device, FIFO or socket; expected the name of a regular file to write")
    }
}

/// Checks that a file can be written at `url` — its directory exists and is writable, and `url`
/// is not itself a directory — so that a command can refuse at once instead of failing when it
/// saves a result it spent minutes computing.
public func requireWritableLocation(_ url: URL) throws {
    let path = url.displayPath
    let directory = url.deletingLastPathComponent()
    try requireReplaceable(url)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ECError.invalidFile(path: path, problem: "is a directory; expected the name of a file to write")
    }
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
        throw ECError.invalidFile(path: path, problem: "cannot be written: directory \(directory.path) does not exist")
    }
    guard isDirectory.boolValue else {
        throw ECError.invalidFile(path: path, problem: "cannot be written: \(directory.path) is not a directory")
    }
    guard access(directory.path, W_OK | X_OK) == 0 else {
        throw ECError.invalidFile(path: path, problem: "cannot be written in \(directory.path): \(String(cString: strerror(errno)))")
    }
}

/// Throws unless `output` is a different file from each of `inputs` (same path after resolving
/// links, or the same device and inode): writing it would replace an input the user still has.
/// `flag` names the output in the error, e.g. "--output".
public func requireDistinct(output: URL, flag: String, from inputs: [URL]) throws {
    func identity(_ url: URL) -> (dev_t, ino_t)? {
        var info = stat()
        return stat(url.path, &info) == 0 ? (info.st_dev, info.st_ino) : nil
    }
    let target = output.resolvingSymlinksInPath().standardizedFileURL.path
    let targetIdentity = identity(output)
    for input in inputs {
        let same = input.resolvingSymlinksInPath().standardizedFileURL.path == target
            || (targetIdentity != nil && identity(input).map { $0 == targetIdentity! } == true)
        if same {
            throw ECError.invalidArgument("\(flag) \(output.displayPath) is the input \(input.displayPath); "
                                          + "writing it would replace that file")
        }
    }
}

/// Creates the directory at `url` and any missing parents, as `mkdir -p` does. Errors name the
/// path that failed and the system's reason, which Foundation's errors often lack ("error 512").
public func makeDirectory(_ url: URL) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else {
            throw ECError.invalidFile(path: url.displayPath, problem: "exists and is not a directory")
        }
        return
    }
    let parent = url.deletingLastPathComponent()
    if parent.path != url.path { try makeDirectory(parent) }
    guard mkdir(url.path, 0o755) == 0 || errno == EEXIST else {
        throw ECError.invalidFile(path: url.displayPath, problem: "cannot create the directory: \(String(cString: strerror(errno)))")
    }
}
