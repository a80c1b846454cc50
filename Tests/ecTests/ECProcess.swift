import Foundation
import Testing

/// The built `ec` executable, run as a user runs it: a subprocess with arguments, a working
/// directory and an environment, whose exit status and output are checked.
enum ECProcess {
    /// A finished run of `ec`.
    struct Outcome: Sendable {
        /// The exit status, or the signal number when `signaled`.
        var status: Int32
        /// Whether a signal ended the process (a trap, a crash, or the timeout).
        var signaled: Bool
        var stdout: String
        var stderr: String

        var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
    }

    /// `swift test` builds every product of the package into the directory that holds the test
    /// bundle, so `ec` is found next to the running test executable (Linux) or the .xctest bundle
    /// (macOS); never elsewhere, so that a stale build of another configuration cannot be used.
    static let executable: Result<URL, LocatingError> = {
        var directories = [URL]()
        if let main = Bundle.main.executableURL { directories.append(main.deletingLastPathComponent()) }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        let candidates = directories.map { $0.appendingPathComponent("ec") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            return .failure(LocatingError(searched: candidates.map(\.path)))
        }
        return .success(found)
    }()

    struct LocatingError: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "the ec executable was not found next to the test bundle (looked for \(searched.joined(separator: ", "))); "
                + "build it with `swift build` in the same configuration as the tests"
        }
    }

    /// Every subprocess shares one PoCL kernel cache in the temporary directory, so that PoCL
    /// never writes into the user's home and compiles each kernel once per test run.
    static let poclCache = FileManager.default.temporaryDirectory.appendingPathComponent("ec-tests-pocl-cache")

    /// A signal to send the process once `when` (polled every 20 ms) holds; `target` picks the
    /// process to signal from the one started (under mpirun, one of its ranks).
    struct Interruption: Sendable {
        var signal: Int32
        var when: @Sendable () -> Bool
        var target: @Sendable (pid_t) -> pid_t? = { $0 }
    }

    /// Open MPI's launcher, as CI runs it (as root, more ranks than cores); nil where it is not
    /// installed.
    static let mpirun: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        .split(separator: ":").map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    static func mpirunArguments(ranks: Int) -> [String] {
        ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks)]
    }

    /// Runs `ec arguments` in `directory` with the test's environment plus `environment`, and
    /// waits for it without holding a thread (other tests run meanwhile). A run longer than
    /// `timeout` seconds is killed (SIGKILL: SIGTERM only asks a run to stop), and so reads as
    /// `signaled`. With `ranks`, `ec` runs as that many ranks under mpirun.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                    timeout: TimeInterval = 120, interruption: Interruption? = nil, ranks: Int? = nil) async throws -> Outcome {
        let process = Process()
        if let ranks {
            guard let mpirun else { throw LocatingError(searched: ["mpirun on PATH"]) }
            process.executableURL = URL(fileURLWithPath: mpirun)
            process.arguments = mpirunArguments(ranks: ranks) + [try executable.get().path] + arguments
        } else {
            process.executableURL = try executable.get()
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment
            .merging(["POCL_CACHE_DIR": poclCache.path], uniquingKeysWith: { $1 })
            .merging(environment, uniquingKeysWith: { $1 })
        // Files rather than pipes: a chatty process cannot block on a full pipe while we wait.
        let id = UUID().uuidString
        let stdoutURL = directory.appendingPathComponent(".stdout-\(id)")
        let stderrURL = directory.appendingPathComponent(".stderr-\(id)")
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
              FileManager.default.createFile(atPath: stderrURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: directory.path])
        }
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let stdout = try FileHandle(forWritingTo: stdoutURL), stderr = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var poll: DispatchSourceTimer?
        try await withCheckedThrowingContinuation { (finished: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in finished.resume() }
            do {
                try runWithoutBlockedSignals(process)
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
                // Made only once the process runs: a timer source released unresumed traps.
                poll = interruption.map { interruption in
                    let timer = DispatchSource.makeTimerSource(queue: .global())
                    timer.schedule(deadline: .now(), repeating: .milliseconds(20))
                    timer.setEventHandler {
                        guard process.isRunning, interruption.when(),
                              let target = interruption.target(process.processIdentifier) else { return }
                        kill(target, interruption.signal)
                        timer.cancel()
                    }
                    timer.resume()
                    return timer
                }
            } catch {
                finished.resume(throwing: error)
            }
        }
        watchdog.cancel()
        poll?.cancel()
        try stdout.close()
        try stderr.close()
        return Outcome(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                       stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
                       stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }
}

/// Starts `process` as a shell would, with no signal blocked. Dispatch's threads block most
/// signals and a child inherits its starting thread's mask: mpirun, which does not unblock them,
/// would never see the SIGTERM a test sends it.
private func runWithoutBlockedSignals(_ process: Process) throws {
    var none = sigset_t(), previous = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    try process.run()
}

/// Runs `ec arguments` and checks that it failed as the command line promises: not killed by a
/// signal, exit status `status` (1 for user errors, 2 for usage errors), and stderr exactly one
/// line that starts with "ec: " and contains every string of `naming` (the file or flag at fault
/// and words that say the problem). Returns that line.
@discardableResult
func expectFailure(_ arguments: [String], status: Int32, naming: [String], in directory: URL,
                   environment: [String: String] = [:],
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
    let outcome = try await ECProcess.run(arguments, in: directory, environment: environment)
    let command = "ec " + arguments.joined(separator: " ")
    #expect(!outcome.signaled, "\(command) was killed by signal \(outcome.status); stderr: \(outcome.stderr)",
            sourceLocation: sourceLocation)
    #expect(outcome.status == status, "\(command) exited \(outcome.status), expected \(status); stderr: \(outcome.stderr)",
            sourceLocation: sourceLocation)
    let lines = outcome.stderrLines
    #expect(lines.count == 1 && outcome.stderr.hasSuffix("\n"),
            "\(command) should write exactly one line on stderr, wrote: \(outcome.stderr.debugDescription)",
            sourceLocation: sourceLocation)
    let line = String(lines.first ?? "")
    #expect(line.hasPrefix("ec: "), "\(command): stderr does not start with 'ec: ': \(line)", sourceLocation: sourceLocation)
    for word in naming {
        #expect(line.contains(word), "\(command): the error does not mention '\(word)': \(line)",
                sourceLocation: sourceLocation)
    }
    return line
}

/// Runs `ec arguments`, expects success, and returns its stdout.
@discardableResult
func expectSuccess(_ arguments: [String], in directory: URL, environment: [String: String] = [:], ranks: Int? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> ECProcess.Outcome {
    let outcome = try await ECProcess.run(arguments, in: directory, environment: environment, ranks: ranks)
    #expect(!outcome.signaled && outcome.status == 0,
            "ec \(arguments.joined(separator: " ")) exited \(outcome.status)\(outcome.signaled ? " (signal)" : ""); stderr: \(outcome.stderr)",
            sourceLocation: sourceLocation)
    return outcome
}

/// Parses `text` as JSON, recording an issue (and returning nil) when it is not.
func parseJSON(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Any? {
    do {
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    } catch {
        Issue.record("not JSON (\(error)): \(text.prefix(500))", sourceLocation: sourceLocation)
        return nil
    }
}
