import Foundation
import Testing

/// The happy paths a user takes, end to end: make a teacher, probe it, train students on the
/// probe set, compare networks; and every `--json` output parses.
struct PipelineTests {
    @Test func teacherProbeTrainCompare() async throws {
        try await withScratchDirectory { directory in
            let teacher = try await expectSuccess(["teacher", "toy", "--inputs", "3", "--widths", "5", "--activation", "g",
                                             "--output", "t.safetensors", "--json"], in: directory)
            let teacherSummary = parseJSON(teacher.stdout) as? [String: Any]
            #expect(teacherSummary?["widths"] as? String == "3-5-1")

            let probe = try await expectSuccess(["probe", "--teacher", "t.safetensors", "--samples", "300", "--output", "p.npz",
                                           "--json"], in: directory)
            let probeSummary = parseJSON(probe.stdout) as? [String: Any]
            #expect(probeSummary?["samples"] as? Int == 300 && probeSummary?["inputs"] as? Int == 3)

            let train = ["train", "--probe", "p.npz", "--activation", "g", "--widths", "10", "--students", "3",
                         "--epochs", "5", "--backend", "cpu"]
            let text = try await expectSuccess(train + ["--output", "s.safetensors"], in: directory)
            #expect(text.stdout.contains("3 students of widths 3-10-1, 5 epochs"))
            // Every command that trains says where.
            #expect(text.stdout.contains("on CPU (OpenBLAS"))
            #expect(text.stderr.contains("training on CPU (OpenBLAS"))
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("s.log.jsonl").path))
            let json = try await expectSuccess(train + ["--output", "s2.safetensors", "--json"], in: directory)
            let trainSummary = parseJSON(json.stdout) as? [String: Any]
            #expect(trainSummary?["epochs"] as? Int == 5)
            #expect((trainSummary?["device"] as? String)?.hasPrefix("CPU") == true)
            #expect((trainSummary?["losses"] as? [Any])?.count == 3)

            let compare = try await expectSuccess(["compare", "--teacher", "t.safetensors", "--recovered", "t.safetensors",
                                             "--samples", "500"], in: directory)
            #expect(compare.stdout.contains("identified: yes"))
            let comparison = try await expectSuccess(["compare", "--teacher", "t.safetensors", "--recovered", "t.safetensors",
                                                "--samples", "500", "--json"], in: directory)
            let comparisonSummary = parseJSON(comparison.stdout) as? [String: Any]
            #expect(comparisonSummary?["identified"] as? Bool == true)
        }
    }

    /// The fine-tuning caps, rate and minibatch and the expansion's schedule reach the run: its
    /// report records them, the final fine-tuning (at most 1 + 3 pruning rounds of it) stops at
    /// its cap, not at the default 10,000, and trains at its own minibatch.
    @Test func identifyHonoursTheTrainingFlags() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 300, in: directory)
            let outcome = try await expectSuccess(["identify", "--probe", "p.npz", "--teacher", "t.safetensors", "--activation", "g",
                                                   "--rho", "2", "--students", "4", "--epochs", "200", "--backend", "cpu",
                                                   "--layer-fine-tune-epochs", "2", "--fine-tune-epochs", "3",
                                                   "--fine-tune-lr", "3e-4", "--fine-tune-batch-size", "64",
                                                   "--patience", "7", "--cooldown", "5", "--no-cosine-decay", "--cosine-decay", "--stall-window", "150",
                                                   "--output", "run", "--json"], in: directory)
            let report = parseJSON(outcome.stdout) as? [String: Any]
            let options = report?["options"] as? [String: Any]
            let phase = { (name: String) in options?[name] as? [String: Any] }
            #expect(phase("retraining")?["maximumEpochs"] as? Int == 2)
            #expect(phase("fineTuning")?["maximumEpochs"] as? Int == 3)
            #expect(phase("fineTuning")?["learningRate"] as? Double == 3e-4)
            #expect(phase("fineTuning")?["batchSize"] as? Int == 64)
            let plateau = phase("expansion")?["schedule"] as? [String: Any]
            #expect(plateau?["patience"] as? Int == 7 && plateau?["cooldown"] as? Int == 5)
            #expect(plateau?["cosineEpochs"] as? Int == 200)   // the last of the pair wins; the decay spans the cap
            #expect(plateau?["stallWindow"] as? Int == 150)
            let finalEpochs = report?["finalEpochs"] as? Int
            #expect(finalEpochs.map { (1...12).contains($0) } == true)
            // The epoch log records the minibatch each phase trained with: 64 for the final
            // fine-tunings only, the run's own size for the expansion (here the whole probe set of
            // 300, since a minibatch larger than the data is the data).
            let log = try String(contentsOf: directory.appendingPathComponent("run/epochs.jsonl"), encoding: .utf8)
            let lines = log.split(separator: "\n").compactMap { parseJSON(String($0)) as? [String: Any] }
            let sizes = { (prefix: String) in Set(lines.filter { ($0["phase"] as? String)?.hasPrefix(prefix) == true }
                                                       .map { $0["batchSize"] as? Int ?? 0 }) }
            let runSize = try #require(phase("expansion")?["batchSize"] as? Int)
            #expect(runSize != 64)
            #expect(sizes("expand") == [min(runSize, 300)])
            #expect(sizes("fine-tune") == [64])   // "fine-tune" and "fine-tune-after-pruning-k"
        }
    }

    /// A probe of more than 64 inputs gets the large-scale recipe (one hidden layer: 5 students,
    /// float32, minibatch 128, the rate decayed over the cap), which `report.json` records, and
    /// each flag given wins over its part of it.
    @Test func anImageSizedProbeGetsTheLargeRecipeAndFlagsOverrideIt() async throws {
        try await withScratchDirectory { directory in
            _ = try await expectSuccess(["teacher", "toy", "--inputs", "100", "--widths", "3", "--activation", "g",
                                         "--output", "t.safetensors"], in: directory)
            _ = try await expectSuccess(["probe", "--teacher", "t.safetensors", "--samples", "256", "--output", "p.npz"], in: directory)
            let common = ["identify", "--probe", "p.npz", "--activation", "g", "--teacher", "t.safetensors", "--epochs", "2000",
                          "--fine-tune-epochs", "1", "--backend", "cpu", "--json", "--output"]
            for (flags, students, cosineEpochs, rate) in [([String](), 5, 2000 as Int?, 1e-3),
                                                          (["--students", "4", "--no-cosine-decay", "--lr", "2e-3"], 4, nil, 2e-3)] {
                let outcome = try await expectSuccess(common + ["run\(students)"] + flags, in: directory)
                let report = parseJSON(outcome.stdout) as? [String: Any]
                let options = report?["options"] as? [String: Any]
                let expansion = options?["expansion"] as? [String: Any]
                #expect((report?["recipe"] as? String)?.hasPrefix("recipe (large scale): float32, \(students) students, ρ = 4, minibatch 128") == true,
                        "\(report?["recipe"] ?? "no recipe")")
                #expect(options?["students"] as? Int == students && expansion?["learningRate"] as? Double == rate)
                #expect((expansion?["schedule"] as? [String: Any])?["cosineEpochs"] as? Int == cosineEpochs)
            }
        }
    }

    /// A result that cannot be written (here a picture's name taken by a directory, as a full disk
    /// would refuse it) is one line naming it and the results that are complete.
    @Test func aFailedWriteSaysWhatWasWritten() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 300, in: directory)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("run/loss-curves.svg"),
                                                    withIntermediateDirectories: true)
            let failed = try await ECProcess.run(["identify", "--probe", "p.npz", "--teacher", "t.safetensors", "--activation", "g",
                                                  "--rho", "2", "--students", "4", "--epochs", "200", "--fine-tune-epochs", "3",
                                                  "--backend", "cpu", "--output", "run"], in: directory)
            // Progress comes first; the error is the last line.
            let line = String(failed.stderrLines.last ?? "")
            #expect(failed.status == 1 && !failed.signaled, "exit \(failed.status); stderr: \(failed.stderr)")
            for words in ["ec: ", "loss-curves.svg", "recovered.safetensors, students.safetensors, report.json written", "--resume"] {
                #expect(line.contains(words), "\(line)")
            }
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/report.json").path))
        }
    }

    /// SIGTERM (or Ctrl-C) stops a run after the epoch in progress with that epoch checkpointed,
    /// exits 128 + 15 naming where it stopped and how to continue, and `--resume` finishes it
    /// from there, each epoch logged once; the report's times cover both processes.
    @Test func identifyStopsCheckpointedOnASignal() async throws {
        try await withScratchDirectory { directory in
            try await makeToyProbe(samples: 1000, in: directory)
            let log = directory.appendingPathComponent("run/epochs.jsonl")
            let expansionLines = { @Sendable () -> [[String: Any]] in
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                // Read while the run writes it: a torn last line is skipped, not an issue.
                return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                    .filter { $0["phase"] as? String == "expand" }
            }
            let loggedEpochs = { @Sendable () -> [Int] in expansionLines().compactMap { $0["epoch"] as? Int } }
            let epochSeconds = { (lines: ArraySlice<[String: Any]>) in lines.reduce(0) { $0 + ($1["seconds"] as? Double ?? .nan) } }
            let stopped = try await ECProcess.run(
                ["identify", "--probe", "p.npz", "--teacher", "t.safetensors", "--activation", "g", "--rho", "2",
                 "--students", "4", "--epochs", "2000", "--fine-tune-epochs", "3", "--backend", "cpu", "--output", "run"],
                in: directory, interruption: .init(signal: SIGTERM, when: { loggedEpochs().count >= 30 }))
            #expect(!stopped.signaled && stopped.status == 128 + SIGTERM, "exit \(stopped.status); stderr: \(stopped.stderr)")
            let line = String(stopped.stderrLines.last ?? "")
            let epochs = loggedEpochs()
            let last = try #require(epochs.last)
            #expect(line == "ec: stopped by SIGTERM after epoch \(last) of expansion; `ec identify --resume run` continues from its last checkpoint")
            #expect(last < 2000 && epochs == Array(1...last))
            #expect(try checkpointEpochs(directory.appendingPathComponent("run/checkpoints/expand.safetensors")) == last)
            // The stopped process's expansion time is kept for the report: at least its epochs' seconds.
            let spent = parseJSON(try String(contentsOf: directory.appendingPathComponent("run/checkpoints/phase-seconds.json"), encoding: .utf8))
            let stoppedExpansion = try #require((spent as? [String: Double])?["expand"])
            #expect(stoppedExpansion >= epochSeconds(expansionLines()[...]))

            // From another working directory: the run's settings name the probe set and the
            // teacher by absolute paths.
            let elsewhere = directory.appendingPathComponent("elsewhere")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: false)
            let resumed = try await expectSuccess(["identify", "--resume", "../run", "--json"], in: elsewhere)
            let all = loggedEpochs()
            let report = parseJSON(resumed.stdout) as? [String: Any]
            #expect(report?["expansionEpochs"] as? Int == all.last)
            #expect(all == Array(1...(all.last ?? 0)) && all.count > last)
            let seconds = try #require(report?["phaseSeconds"] as? [String: Double])
            let expansion = try #require(seconds["expand"]), total = try #require(seconds["total"])
            #expect(expansion >= stoppedExpansion + epochSeconds(expansionLines()[last...]), "\(seconds)")
            #expect(total >= seconds.filter { $0.key != "total" }.values.reduce(0, +), "\(seconds)")
        }
    }

    /// `suite run` stops the same way, naming its own command line (quoted for a shell) as the one
    /// that continues.
    @Test func suiteStopsCheckpointedOnASignal() async throws {
        try await withScratchDirectory { directory in
            let list = try await expectSuccess(["suite", "list", "--problems", "0", "--json"], in: directory)
            let name = try #require(((parseJSON(list.stdout) as? [[String: String]])?.first)?["name"])
            let run = directory.appendingPathComponent("my suite/runs/\(name)-rho2")
            let arguments = ["suite", "run", "--problems", "0", "--rho", "2", "--students", "2", "--samples", "200",
                             "--epochs", "100000", "--backend", "cpu", "--output", "my suite"]
            let stopped = try await ECProcess.run(arguments, in: directory, interruption: .init(signal: SIGINT, when: {
                ((try? String(contentsOf: run.appendingPathComponent("epochs.jsonl"), encoding: .utf8)) ?? "")
                    .split(separator: "\n").count >= 10
            }))
            #expect(!stopped.signaled && stopped.status == 128 + SIGINT, "exit \(stopped.status); stderr: \(stopped.stderr)")
            let epochs = try #require(try checkpointEpochs(run.appendingPathComponent("checkpoints/expand.safetensors")))
            #expect(epochs >= 10)
            #expect(String(stopped.stderrLines.last ?? "") == "ec: stopped by SIGINT after epoch \(epochs) of expansion; "
                + "`ec suite run --problems 0 --rho 2 --students 2 --samples 200 --epochs 100000 --backend cpu --output 'my suite'` "
                + "continues from its last checkpoint")
        }
    }

    /// The epochs a checkpoint's trainer state (in its safetensors metadata) has done.
    private func checkpointEpochs(_ url: URL) throws -> Int? {
        let data = try Data(contentsOf: url)
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = parseJSON(String(decoding: data.dropFirst(8).prefix(length), as: UTF8.self)) as? [String: Any]
        let trainer = (header?["__metadata__"] as? [String: String])?["trainer"]
        return (trainer.flatMap { parseJSON($0) } as? [String: Any])?["epochsDone"] as? Int
    }

    @Test func benchJSONNamesTheDevice() async throws {
        try await withScratchDirectory { directory in
            let outcome = try await expectSuccess(["bench", "--workload", "toy", "--epochs", "1", "--backend", "cpu", "--json"],
                                            in: directory)
            let result = parseJSON(outcome.stdout) as? [String: Any]
            #expect((result?["device"] as? String)?.hasPrefix("CPU") == true)
            #expect((result?["secondsPerEpoch"] as? Double).map { $0 > 0 } == true)
            #expect(result?["launchesPerStep"] as? Double == 0)
        }
    }

    /// `--samples` shrinks the probe set and `--profile` adds each kernel's share of a step,
    /// whose launches add up to the launches per step (the deep workload: three hidden layers).
    @Test func benchProfilesAShrunkWorkload() async throws {
        try await withScratchDirectory { directory in
            let outcome = try await expectSuccess(["bench", "--workload", "deep", "--samples", "40", "--epochs", "1",
                                                   "--backend", "opencl", "--profile", "--json"], in: directory)
            let result = parseJSON(outcome.stdout) as? [String: Any]
            #expect(result?["samples"] as? Int == 40)
            let launches = result?["launchesPerStep"] as? Double
            let profile = result?["profile"] as? [[String: Any]] ?? []
            #expect(launches == 7)
            #expect(profile.reduce(0) { $0 + ($1["launchesPerStep"] as? Double ?? 0) } == launches)
            #expect(abs(profile.reduce(0) { $0 + ($1["share"] as? Double ?? 0) } - 1) < 1e-9)
        }
    }

    /// `--batch-size` changes the steps (40 samples in minibatches of 16: 3, the last partial),
    /// and `--gemm` times the product alone, checked against sums in double.
    @Test func benchTakesAMinibatchSizeAndTimesTheProduct() async throws {
        try await withScratchDirectory { directory in
            let outcome = try await expectSuccess(["bench", "--workload", "mnist64", "--samples", "40", "--batch-size", "16",
                                                   "--epochs", "1", "--backend", "opencl", "--json"], in: directory)
            let result = parseJSON(outcome.stdout) as? [String: Any]
            #expect(result?["batchSize"] as? Int == 16)
            #expect(result?["launchesPerStep"] as? Double == 3)
            let gemm = try await expectSuccess(["bench", "--gemm", "33", "--epochs", "2", "--backend", "opencl", "--json"],
                                               in: directory)
            let product = parseJSON(gemm.stdout) as? [String: Any]
            #expect(product?["gemm"] as? Int == 33)
            #expect((product?["sampledRelativeError"] as? Double).map { $0 < 1e-6 } == true)
            #expect((product?["tflops"] as? Double).map { $0 > 0 } == true)
        }
    }
}
