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

    /// Checks that `modules` import, installing `packages` with pip (once per process) if they do
    /// not. Returns nil when Python is ready, otherwise a one-line reason.
    public static func requireModules(_ modules: [String], installing packages: [String]) -> String? {
        environment.require(modules: modules, packages: packages)
    }

    private static let environment = Environment()

    /// Remembers the outcome per module set; the lock makes concurrent tests wait for a single
    /// installation instead of racing pip.
    private final class Environment: @unchecked Sendable {
        private let lock = NSLock()
        private var outcomes = [[String]: String?]()

        func require(modules: [String], packages: [String]) -> String? {
            lock.lock()
            defer { lock.unlock() }
            if let known = outcomes[modules] { return known }
            let outcome = check(modules: modules, packages: packages)
            outcomes[modules] = outcome
            return outcome
        }

        private func check(modules: [String], packages: [String]) -> String? {
            let importScript = "import " + modules.joined(separator: ", ")
            do {
                if try Python.run(importScript).status == 0 { return nil }
                let install = try Python.run("import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-m', 'pip', "
                                             + "'install', '--quiet', \(packages.map { "'\($0)'" }.joined(separator: ", "))]))")
                let retry = try Python.run(importScript)
                guard retry.status == 0 else {
                    let reason = (install.output + retry.output).split(separator: "\n").last.map(String.init) ?? "unknown error"
                    return "python3 cannot import \(modules.joined(separator: ", ")) even after pip install: \(reason)"
                }
                return nil
            } catch {
                return "python3 could not be started (\(error)); install Python 3 with pip to run the interop tests"
            }
        }
    }
}
