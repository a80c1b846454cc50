import Foundation

/// Runs Python from tests, for interoperability checks against reference implementations
/// (NumPy, safetensors). Interop is part of the contract, so callers should fail — not skip —
/// when Python is unavailable; `requireModules` returns the reason to report.
public enum Python {
    /// A finished Python process: its exit status and its stdout and stderr together.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `python3 -c script arguments...` and waits for it. Throws only if python3 cannot be
    /// started at all.
    public static func run(_ script: String, arguments: [String] = []) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Drain the pipe before waiting, so a chatty script cannot block on a full pipe.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Checks that `modules` import (once per module set and process). Returns nil when they do,
    /// otherwise a one-line reason that names `scripts/setup.sh`, which installs them: tests
    /// never install anything themselves.
    public static func requireModules(_ modules: [String]) -> String? {
        environment.require(modules: modules)
    }

    private static let environment = Environment()

    /// Remembers the outcome per module set; the lock makes concurrent tests wait for one check.
    private final class Environment: @unchecked Sendable {
        private let lock = NSLock()
        private var outcomes = [[String]: String?]()

        func require(modules: [String]) -> String? {
            lock.lock()
            defer { lock.unlock() }
            if let known = outcomes[modules] { return known }
            let outcome = Python.missing(modules)
            outcomes[modules] = outcome
            return outcome
        }
    }

    /// Nil when python3 imports every one of `modules`, otherwise what is missing and the fix.
    private static func missing(_ modules: [String]) -> String? {
        do {
            let outcome = try run("import " + modules.joined(separator: ", "))
            guard outcome.status != 0 else { return nil }
            let reason = outcome.output.split(separator: "\n").last.map(String.init) ?? "unknown error"
            return "python3 cannot import \(modules.joined(separator: ", ")) (\(reason)); run scripts/setup.sh, which installs them"
        } catch {
            return "python3 could not be started (\(error)); run scripts/setup.sh, which installs it"
        }
    }
}
