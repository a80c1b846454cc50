import Foundation
import TestSupport
import Testing

/// The input files of the tests, made once per test run in one temporary directory: teachers and
/// probe sets made by `ec` itself, and damaged or crafted files written byte by byte. Tests only
/// read them, by absolute path, and write into directories of their own.
struct Fixtures: Sendable {
    /// Made by the first test that asks; the others wait for the same files.
    static let shared = Task { try await Fixtures() }

    let directory: URL

    /// The absolute path of fixture `name`.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private init() async throws {
        directory = try makeTemporaryDirectory("ec-cli-fixtures")
        // A 3-4-1 tanh teacher and its probe set, and a 5-input teacher whose probe set fits no other.
        try await make(["teacher", "toy", "--inputs", "3", "--widths", "4", "--activation", "tanh", "--seed", "1",
                        "--output", "teacher.safetensors"])
        try await make(["probe", "--teacher", "teacher.safetensors", "--samples", "256", "--output", "probe.npz"])
        try await make(["teacher", "toy", "--inputs", "5", "--widths", "2", "--activation", "tanh",
                        "--output", "teacher5.safetensors"])
        try await make(["probe", "--teacher", "teacher5.safetensors", "--samples", "64", "--output", "probe5.npz"])
        try await make(["teacher", "toy", "--inputs", "3", "--widths", "4", "--activation", "g", "--output", "teacher-g.safetensors"])
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("a-directory"),
                                                withIntermediateDirectories: false)

        let teacher = try read("teacher.safetensors")
        try write("empty.safetensors", [])
        try write("truncated-header.safetensors", Array(teacher.prefix(100)))
        try write("truncated-data.safetensors", Array(teacher.dropLast(8)))
        try write("lying-shape.safetensors", TestFiles.safetensors(rewritingHeaderOf: teacher) { header in
            Self.edit(&header, tensor: "layers.0.weight") { $0["shape"] = [4, 4] }
        })
        try write("lying-offsets.safetensors", TestFiles.safetensors(rewritingHeaderOf: teacher) { header in
            // Moves the last tensor past the end of the data, its size unchanged.
            let last = header.keys.filter { $0 != "__metadata__" }.max { Self.end(header, $0) < Self.end(header, $1) }!
            Self.edit(&header, tensor: last) { entry in entry["data_offsets"] = (entry["data_offsets"] as! [Int]).map { $0 + 16 } }
        })
        try write("unknown-activation.safetensors", TestFiles.safetensors(rewritingHeaderOf: teacher) { header in
            Self.edit(&header, tensor: "__metadata__") { $0["activation"] = "swishy" }
        })

        try write("truncated.npz", Array(try read("probe.npz").prefix(300)))
        try write("complex.npy", TestFiles.npy(descr: "<c16", shape: [4, 3], data: Array(repeating: 0, count: 4 * 3 * 16)))
        let x = (0..<12).map { Double($0) / 12 }
        try write("nan-inputs.npy", TestFiles.npy(x.enumerated().map { $0.offset == 5 ? .nan : $0.element }, shape: [4, 3]))
        try write("two-columns.npy", TestFiles.npy(Array(x.prefix(8)), shape: [4, 2]))
        try write("inf-targets.npz", TestFiles.zip([
            ("x.npy", TestFiles.npy(x, shape: [4, 3])),
            ("y.npy", TestFiles.npy([0.5, -1, .infinity, 2], shape: [4, 1])),
        ]))
        try write("constant-targets.npz", TestFiles.zip([
            ("x.npy", TestFiles.npy(x, shape: [4, 3])),
            ("y.npy", TestFiles.npy([0.5, 0.5, 0.5, 0.5], shape: [4, 1])),
        ]))
    }

    private func make(_ arguments: [String]) async throws {
        let outcome = try await ECProcess.run(arguments, in: directory)
        guard outcome.status == 0, !outcome.signaled else {
            throw FixtureError(description: "making fixtures: ec \(arguments.joined(separator: " ")) failed: \(outcome.stderr)")
        }
    }

    private func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    /// Changes one entry of a safetensors header in place.
    private static func edit(_ header: inout [String: Any], tensor name: String, _ change: (inout [String: Any]) -> Void) {
        var entry = header[name] as? [String: Any] ?? [:]
        change(&entry)
        header[name] = entry
    }

    /// Where a tensor's data ends.
    private static func end(_ header: [String: Any], _ name: String) -> Int {
        ((header[name] as? [String: Any])?["data_offsets"] as? [Int])?.last ?? 0
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }
}

/// One `ec` invocation of a table-driven test: its arguments, where "@name" stands for the
/// fixture file `name`, and the words its one-line error must contain.
struct CommandCase: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    let naming: [String]
    /// Extra environment variables for the run.
    var environment: [String: String] = [:]

    init(_ arguments: [String], naming: [String], environment: [String: String] = [:]) {
        self.arguments = arguments
        self.naming = naming
        self.environment = environment
    }

    /// The arguments with fixture paths filled in.
    func arguments(with fixtures: Fixtures) -> [String] {
        arguments.map { $0.hasPrefix("@") ? fixtures.path(String($0.dropFirst())) : $0 }
    }

    var testDescription: String { "ec " + arguments.joined(separator: " ") }
}

/// Runs `body` in a fresh temporary directory, removed afterwards.
/// A 3-4-1 toy teacher (activation g) in t.safetensors and `samples` Gaussian probes of it in p.npz.
func makeToyProbe(samples: Int, in directory: URL) async throws {
    _ = try await expectSuccess(["teacher", "toy", "--inputs", "3", "--widths", "4", "--activation", "g",
                                 "--output", "t.safetensors"], in: directory)
    _ = try await expectSuccess(["probe", "--teacher", "t.safetensors", "--samples", String(samples), "--output", "p.npz"],
                                in: directory)
}

func withScratchDirectory(_ body: (URL) async throws -> Void) async throws {
    let directory = try makeTemporaryDirectory("ec-cli-test")
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory)
}
