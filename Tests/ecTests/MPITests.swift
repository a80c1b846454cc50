import Foundation
import Testing

/// `ec` under Open MPI's mpirun: the ranks share a training's students and a suite's problems,
/// and give the very bits one process gives (CPU backend); a stopped or broken run resumes on
/// any number of ranks.
@Suite(.enabled(if: ECProcess.mpirun != nil, "mpirun is not installed (scripts/setup.sh installs Open MPI)"))
struct MPITests {
    static let train = ["train", "--probe", "p.npz", "--activation", "g", "--widths", "8", "--students", "4",
                        "--epochs", "40", "--backend", "cpu", "--json"]
    static let identify = ["identify", "--probe", "p.npz", "--teacher", "t.safetensors", "--activation", "g", "--rho", "2",
                           "--students", "4", "--epochs", "300", "--fine-tune-epochs", "40", "--backend", "cpu"]

    /// Two ranks (2 + 2 students) and three (2 + 1 + 1) train the students one process trains.
    @Test func trainGivesTheSameStudentsOnAnyNumberOfRanks() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 300, in: directory)
            let single = parseJSON(try await expectSuccess(Self.train + ["--output", "one.safetensors"], in: directory).stdout)
                as? [String: Any]
            for ranks in [2, 3] {
                let outcome = try await expectSuccess(Self.train + ["--output", "\(ranks).safetensors"], in: directory, ranks: ranks)
                // Rank 0 alone prints: two ranks' JSON on stdout would not parse.
                let shared = parseJSON(outcome.stdout) as? [String: Any]
                #expect((shared?["device"] as? String)?.hasPrefix("\(ranks) MPI ranks, rank 0 on CPU") == true, "\(outcome.stdout)")
                #expect(shared?["epochs"] as? Int == single?["epochs"] as? Int)
                #expect(shared?["losses"] as? [Double] == single?["losses"] as? [Double])
                #expect(try tensorBytes(directory, "\(ranks).safetensors") == tensorBytes(directory, "one.safetensors"))
            }
        }
    }

    /// The whole identification (expansion, polish, clustering, fine-tuning, comparison) on 2 and
    /// 3 ranks recovers the network one process recovers, bit for bit, and the report and the
    /// summary say where the ranks ran.
    @Test func identifyGivesTheSameNetworkOnAnyNumberOfRanks() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 300, in: directory)
            _ = try await expectSuccess(Self.identify + ["--output", "one"], in: directory)
            let reference = try report(directory, "one")
            for ranks in [2, 3] {
                let outcome = try await expectSuccess(Self.identify + ["--output", "run\(ranks)"], in: directory, ranks: ranks)
                #expect(outcome.stdout.contains("\(ranks) MPI ranks: ranks \((0..<ranks).map(String.init).joined(separator: ",")) on "),
                        "\(outcome.stdout)")
                let shared = try report(directory, "run\(ranks)")
                let placements = (shared["ranks"] as? [String: Any])?["placements"] as? [[String: Any]]
                #expect(placements?.compactMap { $0["rank"] as? Int } == Array(0..<ranks))
                #expect(((shared["ranks"] as? [String: Any])?["bytesReceivedByRank0"] as? Int).map { $0 > 0 } == true)
                #expect(NSDictionary(dictionary: Self.results(of: shared)).isEqual(to: Self.results(of: reference)))
                for file in ["recovered.safetensors", "students.safetensors"] {
                    #expect(try tensorBytes(directory, "run\(ranks)/\(file)") == tensorBytes(directory, "one/\(file)"), "\(file)")
                }
            }
        }
    }

    /// The other phases that share students: the pilots that choose ρ (no --rho), and a deep
    /// teacher's re-training between layers and its polish, on 2 ranks as in one process.
    @Test func pilotsAndRetrainingGiveTheSameNetworkOnTwoRanks() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 300, in: directory)
            _ = try await expectSuccess(["teacher", "toy", "--inputs", "3", "--widths", "3,3", "--activation", "g", "--seed", "3",
                                         "--output", "deep.safetensors"], in: directory)
            _ = try await expectSuccess(["probe", "--teacher", "deep.safetensors", "--samples", "500", "--output", "deep.npz"],
                                        in: directory)
            let pilots = Self.identify.filter { $0 != "--rho" && $0 != "2" }
            let deep = ["identify", "--probe", "deep.npz", "--teacher", "deep.safetensors", "--activation", "g", "--hidden-layers", "2",
                        "--rho", "2", "--students", "4", "--epochs", "300", "--layer-fine-tune-epochs", "100",
                        "--fine-tune-epochs", "40", "--backend", "cpu"]
            for (name, arguments) in [("pilots", pilots), ("deep", deep)] {
                _ = try await expectSuccess(arguments + ["--output", "\(name)1"], in: directory)
                _ = try await expectSuccess(arguments + ["--output", "\(name)2"], in: directory, ranks: 2)
                let one = try report(directory, "\(name)1"), two = try report(directory, "\(name)2")
                #expect(name != "pilots" || (one["pilots"] as? [Any])?.isEmpty == false)
                #expect(name != "deep" || (one["phaseSeconds"] as? [String: Double])?["retrain-after-layer-1"] != nil)
                // A pilot's seconds are its time, not its result.
                let results = { (report: [String: Any]) in
                    Self.results(of: report).merging(["pilots": ((report["pilots"] as? [[String: Any]]) ?? []).map {
                        $0.filter { $0.key != "seconds" } }]) { $1 }
                }
                #expect(NSDictionary(dictionary: results(two)).isEqual(to: results(one)), "\(name)")
                #expect(try tensorBytes(directory, "\(name)2/recovered.safetensors") == tensorBytes(directory, "\(name)1/recovered.safetensors"))
            }
        }
    }

    /// A run stopped by SIGTERM on 2 ranks (mpirun forwards the signal; the ranks agree on the
    /// epoch) resumes in one process and ends as an uninterrupted run.
    @Test func aStoppedRunResumesOnAnotherNumberOfRanks() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 1000, in: directory)
            // An expansion of a fixed 20,000 epochs (several seconds): long enough that the signal,
            // which mpirun forwards with a delay, lands in it.
            let arguments = Self.identify.map { $0 == "300" ? "20000" : $0 } + ["--stall-window", "0", "--cluster-checks", "0"]
            _ = try await expectSuccess(arguments + ["--output", "one"], in: directory)
            let log = directory.appendingPathComponent("run/epochs.jsonl")
            let stopped = try await ECProcess.run(arguments + ["--output", "run"], in: directory, interruption: .init(
                signal: SIGTERM, when: { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count >= 30 }),
                ranks: 2)
            #expect(!stopped.signaled && stopped.status != 0, "exit \(stopped.status); stderr: \(stopped.stderr)")
            #expect(stopped.stderr.contains("ec: stopped by SIGTERM after epoch "), "\(stopped.stderr)")
            _ = try await expectSuccess(["identify", "--resume", "run"], in: directory)
            #expect(NSDictionary(dictionary: Self.results(of: try report(directory, "run")))
                .isEqual(to: Self.results(of: try report(directory, "one"))))
            #expect(try tensorBytes(directory, "run/recovered.safetensors") == tensorBytes(directory, "one/recovered.safetensors"))
        }
    }

    /// A rank killed outright after the expansion was checkpointed ends the whole job with
    /// mpirun's error naming the rank; `--resume` on 2 ranks takes the expansion from its
    /// checkpoint and ends as an uninterrupted run.
    @Test func aKilledRankStopsTheRunAndItResumes() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 300, in: directory)
            let arguments = Self.identify.map { $0 == "40" ? "3000" : $0 }
            _ = try await expectSuccess(arguments + ["--output", "one"], in: directory)
            let expansion = directory.appendingPathComponent("run/checkpoints/expand.safetensors")
            let killed = try await ECProcess.run(arguments + ["--output", "run"], in: directory, interruption: .init(
                signal: SIGKILL, when: { FileManager.default.fileExists(atPath: expansion.path) },
                target: { Self.rank(1, launchedBy: $0) }), ranks: 2)
            #expect(killed.status != 0, "stderr: \(killed.stderr)")
            #expect(killed.stderr.contains("rank 1") && killed.stderr.contains("signal 9"), "\(killed.stderr)")
            let resumed = try await expectSuccess(["identify", "--resume", "run", "--json"], in: directory, ranks: 2)
            #expect(!resumed.stderr.contains("expansion epoch"), "the expansion is not trained again")
            #expect(NSDictionary(dictionary: Self.results(of: try report(directory, "run")))
                .isEqual(to: Self.results(of: try report(directory, "one"))))
        }
    }

    /// `ec devices` under mpirun: rank 0 prints which device each rank takes, in rank order.
    @Test func devicesSaysWhichRankTakesWhichDevice() async throws {
        try await withScratchDirectory { directory in
            let outcome = try await expectSuccess(["devices"], in: directory, ranks: 2)
            let lines = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("rank ") }
            #expect(lines.count == 2, "\(outcome.stdout)")
            #expect(lines.first?.contains("(local rank 0) takes ") == true && lines.last?.contains("(local rank 1) takes ") == true)
        }
    }

    /// Two ranks share a suite's problems and write the results.jsonl lines one process writes.
    @Test func suiteSharesItsProblemsAcrossRanks() async throws {
        try await withScratchDirectory { directory in
            let arguments = ["suite", "run", "--problems", "0-2", "--rho", "4", "--students", "4", "--samples", "300",
                             "--epochs", "300", "--backend", "cpu"]
            _ = try await expectSuccess(arguments + ["--output", "one"], in: directory)
            let outcome = try await expectSuccess(arguments + ["--output", "two"], in: directory, ranks: 2)
            #expect(outcome.stdout.contains("2 MPI ranks"), "\(outcome.stdout)")
            let lines = { (suite: String) throws -> [[String: Any]] in
                let text = try String(contentsOf: directory.appendingPathComponent("\(suite)/results.jsonl"), encoding: .utf8)
                return text.split(separator: "\n").compactMap { parseJSON(String($0)) as? [String: Any] }
                    .map { $0.filter { !["seconds", "device"].contains($0.key) } }
                    .sorted { ($0["problem"] as? String ?? "") < ($1["problem"] as? String ?? "") }
            }
            let single = try lines("one"), shared = try lines("two")
            #expect(single.count == 3 && shared.count == 3)
            #expect(NSArray(array: shared).isEqual(to: single))
        }
    }

    /// What a report says about the identification itself: everything but times, memory and
    /// where it ran.
    static func results(of report: [String: Any]) -> [String: Any] {
        report.filter { !["phaseSeconds", "peakHostMemoryBytes", "peakDeviceMemoryBytes", "ranks", "device"].contains($0.key) }
    }

    /// The process of rank `rank` among mpirun's children (by the rank Open MPI puts in each
    /// one's environment).
    static func rank(_ rank: Int, launchedBy mpirun: pid_t) -> pid_t? {
        let children = (try? String(contentsOfFile: "/proc/\(mpirun)/task/\(mpirun)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { pid_t($0) }.first { child in
            let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(child)/environ"))) ?? Data()
            return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=\(rank)" }
        }
    }
}

/// A plain `ec` needs no MPI library: Open MPI is loaded only under mpirun.
struct MPILinkingTests {
    @Test func ecDoesNotLinkMPI() async throws {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [try ECProcess.executable.get().path]
        let pipe = Pipe()
        ldd.standardOutput = pipe
        try ldd.run()
        let libraries = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        #expect(ldd.terminationStatus == 0 && libraries.contains("libc.so"), "\(libraries)")
        #expect(!libraries.contains("libmpi") && !libraries.contains("libopen-"), "\(libraries)")
    }
}

/// The report.json of run directory `run`.
private func report(_ directory: URL, _ run: String) throws -> [String: Any] {
    let text = try String(contentsOf: directory.appendingPathComponent("\(run)/report.json"), encoding: .utf8)
    return try #require(parseJSON(text) as? [String: Any])
}

/// A safetensors file's tensor data, without its header (whose metadata names the device).
private func tensorBytes(_ directory: URL, _ name: String) throws -> Data {
    let data = try Data(contentsOf: directory.appendingPathComponent(name))
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    return data.dropFirst(8 + length)
}
