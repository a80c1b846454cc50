import Foundation
import Testing

/// What a hostile user gives `ec` (issue 29): each is refused with one line and status 1, without
/// a crash, a hang, or a file destroyed or left behind.
struct HostileInputTests {
    private static func write(_ bytes: [UInt8], _ name: String, in directory: URL) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    private static func idx(type: UInt8, shape: [Int], data: [UInt8]) -> [UInt8] {
        [0, 0, type, UInt8(shape.count)] + shape.flatMap { size in (0..<4).reversed().map { UInt8((size >> (8 * $0)) & 0xff) } } + data
    }

    @Test func outputsThatAreInputsAreRefused() async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            try FileManager.default.copyItem(atPath: fixtures.path("teacher.safetensors"),
                                            toPath: directory.appendingPathComponent("t.safetensors").path)
            let before = try Data(contentsOf: directory.appendingPathComponent("t.safetensors"))
            try await expectFailure(["probe", "--teacher", "t.safetensors", "--output", "./t.safetensors"], status: 1,
                                    naming: ["--output", "t.safetensors", "replace"], in: directory)
            #expect(try Data(contentsOf: directory.appendingPathComponent("t.safetensors")) == before)
            try await expectFailure(["probe", "--teacher", "t.safetensors", "--output", "/dev/null"], status: 1,
                                    naming: ["/dev/null", "device"], in: directory)
        }
    }

    @Test func flagsThatOverflowWriteNothing() async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            try await expectFailure(["identify", "--probe", fixtures.path("probe.npz"), "--activation", "tanh", "--rho", "1e300",
                                     "--output", "run"], status: 1, naming: ["rho", "1e+300", "widths"], in: directory)
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/settings.json").path))
            try await expectFailure(["identify", "--probe", fixtures.path("probe.npz"), "--activation", "tanh", "--output", ""],
                                    status: 2, naming: ["--output"], in: directory)
        }
    }

    @Test func resumedSettingsAreCheckedFieldByField() async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            // A run that stops early (the students do not agree) but leaves its settings.
            _ = try await ECProcess.run(["identify", "--probe", fixtures.path("probe.npz"), "--activation", "tanh", "--rho", "1",
                                         "--epochs", "2", "--fine-tune-epochs", "1", "--students", "2", "--output", "run"], in: directory)
            let url = directory.appendingPathComponent("run/settings.json")
            let original = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            for (value, words) in [(-1 as Any, ["0 or more", "-1"]), ("x" as Any, ["wrong type", "an integer"])] {
                var settings = original, options = original["options"] as! [String: Any]
                var expansion = options["expansion"] as! [String: Any], polish = expansion["polish"] as! [String: Any]
                polish["maximumIterations"] = value
                expansion["polish"] = polish
                options["expansion"] = expansion
                settings["options"] = options
                try JSONSerialization.data(withJSONObject: settings).write(to: url)
                try await expectFailure(["identify", "--resume", "run"], status: 1,
                                        naming: ["settings.json", "options.expansion.polish.maximumIterations"] + words, in: directory)
            }
        }
    }

    /// A probe set replaced after the run started would mix two runs' work: `--resume` refuses it
    /// by its recorded size and CRC-32.
    @Test func resumeRefusesAChangedProbe() async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            let probe = directory.appendingPathComponent("p.npz")
            try FileManager.default.copyItem(atPath: fixtures.path("probe.npz"), toPath: probe.path)
            _ = try await ECProcess.run(["identify", "--probe", "p.npz", "--activation", "tanh", "--rho", "1", "--epochs", "2",
                                         "--fine-tune-epochs", "1", "--students", "2", "--output", "run"], in: directory)
            var bytes = try Data(contentsOf: probe)
            bytes[bytes.count / 2] ^= 0x01   // one bit, same size
            try bytes.write(to: probe)
            try await expectFailure(["identify", "--resume", "run"], status: 1,
                                    naming: ["p.npz", "not the probe set this run started with"], in: directory)
        }
    }

    @Test func fifosAndHostileDataFilesAreRefused() async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            #expect(mkfifo(directory.appendingPathComponent("fifo.npz").path, 0o600) == 0)
            try await expectFailure(["train", "--probe", "fifo.npz", "--activation", "tanh", "--widths", "4", "--output", "s.safetensors"],
                                    status: 1, naming: ["fifo.npz", "not a regular file"], in: directory)
            try Self.write(Self.idx(type: 0x08, shape: [0, 0xffff_ffff, 0xffff_ffff], data: []), "zero.idx", in: directory)
            try await expectFailure(["probe", "--teacher", fixtures.path("teacher.safetensors"), "--inputs-from", "zero.idx",
                                     "--output", "p.npz"], status: 1, naming: ["zero.idx", "too large"], in: directory)
            try Self.write(Self.idx(type: 0x0d, shape: [2, 3], data: [UInt8](repeating: 0, count: 24)), "float.idx", in: directory)
            try await expectFailure(["probe", "--teacher", fixtures.path("teacher.safetensors"), "--inputs-from", "float.idx",
                                     "--output", "p.npz"], status: 1, naming: ["float.idx", "8-bit"], in: directory)
            try Self.write(Self.idx(type: 0x08, shape: [1, 2, 2], data: [0, 1, 2, 3]), "images.idx", in: directory)
            try Self.write(Self.idx(type: 0x0c, shape: [1], data: [2, 0, 0, 0]), "labels.idx", in: directory)
            // Its progress line comes first, so the error is the last line.
            let labels = try await ECProcess.run(["teacher", "train", "--images", "images.idx", "--labels", "labels.idx",
                                                  "--widths", "4", "--activation", "relu", "--output", "t.safetensors"], in: directory)
            #expect(!labels.signaled && labels.status == 1)
            #expect(labels.stderrLines.last.map { $0.hasPrefix("ec: labels.idx") && $0.contains("33554432") } == true, "\(labels.stderr)")
            try await expectFailure(["probe", "--teacher", fixtures.path("teacher.safetensors"), "--samples", "20000000",
                                     "--output", "p.npz"], status: 1, naming: ["--samples", "EC_MEMORY_BUDGET"], in: directory,
                                    environment: ["EC_MEMORY_BUDGET": "1G"])
        }
    }
}
