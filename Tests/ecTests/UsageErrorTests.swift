import Testing

/// Usage errors: unknown or missing flags and values that are wrong by themselves exit with
/// status 2 and one line naming the flag, before any file is read (the files named here do not
/// exist, so a check that let a value through would fail with status 1 instead).
struct UsageErrorTests {
    static let train = ["train", "--probe", "p.npz", "--activation", "tanh", "--widths", "8", "--output", "s.safetensors"]
    static let identify = ["identify", "--probe", "p.npz", "--activation", "tanh", "--output", "run"]
    static let toy = ["teacher", "toy", "--inputs", "3", "--activation", "tanh", "--output", "t.safetensors"]
    static let suite = ["suite", "run", "--problems", "g-d2-r2-s1", "--output", "suite"]

    static let cases: [CommandCase] = [
        CommandCase(["frobnicate"], naming: ["frobnicate"]),
        CommandCase(["probe", "--teacher", "t.safetensors", "--output", "p.npz", "--bogus"], naming: ["--bogus"]),
        CommandCase(["probe", "--output", "p.npz"], naming: ["Missing", "--teacher"]),
        CommandCase(["compare", "--teacher", "t.safetensors"], naming: ["Missing", "--recovered"]),
        // Without --probe identify is the demo, which would silently ignore these.
        CommandCase(["identify", "--activation", "g", "--teacher", "t.safetensors", "--epochs", "50"],
                    naming: ["--probe is required", "--activation or --teacher"]),
        CommandCase(toy + ["--widths", "4", "--activation", "swishy"], naming: ["--activation", "swishy", "relu, "]),
        CommandCase(toy + ["--widths", "0"], naming: ["--widths", "positive", "0"]),
        CommandCase(toy + ["--widths", "4,-2"], naming: ["--widths", "positive", "-2"]),
        CommandCase(toy + ["--widths", "4,,4"], naming: ["--widths", "4,,4"]),
        CommandCase(toy + ["--widths", "4", "--inputs", "0"], naming: ["--inputs", "positive"]),
        CommandCase(train + ["--widths", "0"], naming: ["--widths", "positive"]),
        CommandCase(train + ["--students", "0"], naming: ["--students", "positive", "0"]),
        CommandCase(train + ["--epochs", "-1"], naming: ["--epochs", "positive", "-1"]),
        CommandCase(train + ["--lr", "0"], naming: ["--lr", "positive"]),
        CommandCase(train + ["--lr", "inf"], naming: ["--lr", "finite"]),
        CommandCase(train + ["--batch-size", "0"], naming: ["--batch-size", "positive"]),
        CommandCase(train + ["--patience", "-3"], naming: ["--patience", "-3"]),
        CommandCase(identify + ["--gamma", "2"], naming: ["--gamma", "(0, 1]", "2"]),
        CommandCase(identify + ["--gamma", "0"], naming: ["--gamma", "(0, 1]"]),
        CommandCase(identify + ["--beta-deg", "120"], naming: ["--beta-deg", "(0, 90]"]),
        CommandCase(identify + ["--students", "0"], naming: ["--students", "at least 2"]),
        CommandCase(identify + ["--epochs", "0"], naming: ["--epochs", "positive"]),
        CommandCase(identify + ["--lr", "0"], naming: ["--lr", "positive"]),
        CommandCase(identify + ["--fine-tune-epochs", "0"], naming: ["--fine-tune-epochs", "positive"]),
        CommandCase(identify + ["--fine-tune-lr", "nan"], naming: ["--fine-tune-lr", "positive"]),
        CommandCase(identify + ["--fine-tune-batch-size", "0"], naming: ["--fine-tune-batch-size", "positive"]),
        CommandCase(identify + ["--layer-fine-tune-epochs", "-5"], naming: ["--layer-fine-tune-epochs", "positive"]),
        CommandCase(identify + ["--batch-size", "0"], naming: ["--batch-size", "positive"]),
        CommandCase(identify + ["--cooldown", "-1"], naming: ["--cooldown", "at least 0", "-1"]),
        CommandCase(identify + ["--span-gain", "0.5"], naming: ["--span-gain", "above 1"]),
        CommandCase(identify + ["--duplicate-correlation", "1.5"], naming: ["--duplicate-correlation", "[0, 1]"]),
        CommandCase(identify + ["--removal-loss-factor", "0.5"], naming: ["--removal-loss-factor", "at least 1"]),
        CommandCase(identify + ["--rho", "-1"], naming: ["--rho", "positive"]),
        CommandCase(identify + ["--hidden-layers", "0"], naming: ["--hidden-layers", "positive"]),
        CommandCase(identify + ["--reference-widths", "8,0"], naming: ["--reference-widths", "positive"]),
        CommandCase(["identify", "--probe", "p.npz", "--output", "run"], naming: ["--activation", "--probe"]),
        CommandCase(["identify", "--probe", "p.npz", "--activation", "tanh"], naming: ["--output", "--probe"]),
        CommandCase(["probe", "--teacher", "t.safetensors", "--output", "p.npz", "--samples", "0"], naming: ["--samples", "positive"]),
        CommandCase(["probe", "--teacher", "t.safetensors", "--output", "p.npz", "--pixel-std", "0"], naming: ["--pixel-std"]),
        CommandCase(["compare", "--teacher", "t.safetensors", "--recovered", "r.safetensors", "--samples", "-5"],
                    naming: ["--samples", "positive", "-5"]),
        CommandCase(["bench", "--workload", "huge"], naming: ["--workload", "huge", "toy"]),
        CommandCase(["bench", "--epochs", "0"], naming: ["--epochs", "positive"]),
        CommandCase(["bench", "--samples", "0"], naming: ["--samples", "positive"]),
        CommandCase(["bench", "--batch-size", "0"], naming: ["--batch-size", "positive"]),
        CommandCase(["bench", "--gemm", "0"], naming: ["--gemm", "positive"]),
        CommandCase(train + ["--backend", "cuda"], naming: ["--backend", "cuda"]),
        CommandCase(suite + ["--rho", "-1"], naming: ["--rho", "'-1'", "positive"]),
        CommandCase(suite + ["--rho", "1,two"], naming: ["--rho", "'two'"]),
        CommandCase(suite + ["--students", "1"], naming: ["--students", "at least 2", "1"]),
        CommandCase(suite + ["--samples", "0"], naming: ["--samples", "positive"]),
        CommandCase(suite + ["--epochs", "-2"], naming: ["--epochs", "positive", "-2"]),
    ]

    @Test(arguments: cases)
    func refusedWithStatus2(_ command: CommandCase) async throws {
        try await withScratchDirectory { directory in
            try await expectFailure(command.arguments, status: 2, naming: command.naming, in: directory)
        }
    }

    /// Help is not an error: it goes to stdout with status 0 (it used to print nothing at all).
    @Test func helpPrintsTheSubcommands() async throws {
        try await withScratchDirectory { directory in
            let outcome = try await expectSuccess(["--help"], in: directory)
            for command in ["teacher", "probe", "train", "identify", "compare", "bench", "devices"] {
                #expect(outcome.stdout.contains(command), "ec --help does not list \(command)")
            }
            #expect(outcome.stderr.isEmpty)
            #expect(try await expectSuccess(["train", "--help"], in: directory).stdout.contains("--batch-size"))
        }
    }
}
