import Foundation
import Testing

/// User errors — files, their data, sizes no machine has: exit status 1 and one line naming the
/// file or flag and the problem, never a crash. "@name" is the fixture file `name` (see `Fixtures`).
struct UserErrorTests {
    static func probe(teacher: String) -> [String] { ["probe", "--teacher", teacher, "--samples", "16", "--output", "p.npz"] }
    static func train(probe: String) -> [String] {
        ["train", "--probe", probe, "--activation", "tanh", "--widths", "4", "--epochs", "2", "--output", "s.safetensors"]
    }
    static func identify(probe: String, teacher: String) -> [String] {
        ["identify", "--probe", probe, "--teacher", teacher, "--activation", "tanh", "--epochs", "2", "--output", "run"]
    }

    static let cases: [CommandCase] = [
        // Files that are not there, or not files.
        CommandCase(probe(teacher: "missing.safetensors"), naming: ["missing.safetensors", "No such file"]),
        CommandCase(probe(teacher: "@a-directory"), naming: ["a-directory", "is a directory"]),
        CommandCase(train(probe: "@a-directory"), naming: ["a-directory", "is a directory"]),
        CommandCase(probe(teacher: "@empty.safetensors"), naming: ["empty.safetensors", "0 bytes"]),
        // Damaged safetensors.
        CommandCase(probe(teacher: "@truncated-header.safetensors"), naming: ["truncated-header.safetensors", "truncated"]),
        CommandCase(probe(teacher: "@truncated-data.safetensors"), naming: ["truncated-data.safetensors"]),
        CommandCase(probe(teacher: "@lying-shape.safetensors"), naming: ["lying-shape.safetensors", "layers.0.weight"]),
        CommandCase(probe(teacher: "@lying-offsets.safetensors"), naming: ["lying-offsets.safetensors", "data_offsets"]),
        CommandCase(probe(teacher: "@unknown-activation.safetensors"),
                    naming: ["unknown-activation.safetensors", "unknown activation", "swishy"]),
        CommandCase(["compare", "--teacher", "@teacher.safetensors", "--recovered", "@truncated-data.safetensors"],
                    naming: ["truncated-data.safetensors"]),
        // Arrays we cannot read, or whose data is not finite.
        CommandCase(probe(teacher: "@teacher.safetensors") + ["--inputs-from", "@complex.npy"],
                    naming: ["complex.npy", "unsupported npy dtype", "<c16"]),
        CommandCase(probe(teacher: "@teacher.safetensors") + ["--inputs-from", "@nan-inputs.npy"],
                    naming: ["nan-inputs.npy", "NaN", "row 1, column 2"]),
        CommandCase(["compare", "--teacher", "@teacher.safetensors", "--recovered", "@teacher.safetensors",
                     "--probe", "@nan-inputs.npy"], naming: ["nan-inputs.npy", "NaN"]),
        CommandCase(train(probe: "@inf-targets.npz"), naming: ["inf-targets.npz", "y", "+Inf", "row 2"]),
        CommandCase(train(probe: "@truncated.npz"), naming: ["truncated.npz"]),
        CommandCase(train(probe: "@constant-targets.npz"), naming: ["targets y are constant", "Var(y) = 0"]),
        CommandCase(identify(probe: "@constant-targets.npz", teacher: "@teacher.safetensors"), naming: ["targets y are constant"]),
        CommandCase(train(probe: "@teacher.safetensors"), naming: ["teacher.safetensors"]),
        // Shapes that do not fit the teacher.
        CommandCase(probe(teacher: "@teacher.safetensors") + ["--inputs-from", "@two-columns.npy"],
                    naming: ["two-columns.npy", "teacher.safetensors", "2", "3"]),
        CommandCase(identify(probe: "@probe5.npz", teacher: "@teacher.safetensors"),
                    naming: ["teacher.safetensors", "probe5.npz"]),
        CommandCase(["compare", "--teacher", "@teacher.safetensors", "--recovered", "@teacher-g.safetensors"],
                    naming: ["teacher's activation is tanh", "recovered network's is g"]),
        CommandCase(["identify", "--probe", "@probe.npz", "--teacher", "@teacher.safetensors", "--activation", "g", "--output", "run"],
                    naming: ["teacher's activation is tanh", "is g"]),
        CommandCase(["compare", "--teacher", "@teacher.safetensors", "--recovered", "@teacher5.safetensors"],
                    naming: ["teacher.safetensors", "teacher5.safetensors"]),
        CommandCase(["compare", "--teacher", "@teacher.safetensors", "--recovered", "@teacher.safetensors",
                     "--probe", "@two-columns.npy"], naming: ["two-columns.npy", "teacher.safetensors"]),
        // Sizes that overflow or exceed memory (allocating them used to trap).
        CommandCase(probe(teacher: "@teacher.safetensors") + ["--samples", "\(Int.max)"], naming: ["--samples", "memory"]),
        CommandCase(["compare", "--teacher", "@teacher.safetensors", "--recovered", "@teacher.safetensors",
                     "--samples", "\(Int.max / 4)"], naming: ["--samples", "memory"]),
        CommandCase(["teacher", "toy", "--inputs", "100000", "--widths", "100000,100000", "--activation", "tanh",
                     "--output", "t.safetensors"], naming: ["widths 100000-100000-100000-1", "memory"]),
        CommandCase(train(probe: "@probe.npz") + ["--widths", "1000000,1000000"],
                    naming: ["students of widths 3-1000000-1000000-1", "memory"]),
        // Runs and outputs.
        CommandCase(["identify", "--resume", "@a-directory"], naming: ["a-directory", "nothing to resume"]),
        CommandCase(["identify", "--resume", "no-such-run"], naming: ["no-such-run", "does not exist"]),
        CommandCase(["suite", "run", "--problems", "tanh-d3-*", "--output", "suite"], naming: ["--problems", "tanh-d3-*", "matches no problem"]),
        CommandCase(["suite", "list", "--problems", "140-150"], naming: ["--problems", "140-150", "0-149"]),
        CommandCase(["teacher", "toy", "--inputs", "3", "--widths", "4", "--activation", "tanh",
                     "--output", "no-such-directory/t.safetensors"], naming: ["no-such-directory/t.safetensors", "No such file"]),
        CommandCase(["probe", "--teacher", "@teacher.safetensors", "--output", "@a-directory"],
                    naming: ["a-directory", "is a directory"]),
        CommandCase(Array(train(probe: "@probe.npz").dropLast()) + ["no-such-directory/s.safetensors"],
                    naming: ["no-such-directory", "does not exist"]),
        CommandCase(["identify", "--probe", "@probe.npz", "--activation", "tanh", "--output", "@teacher.safetensors"],
                    naming: ["teacher.safetensors", "not a directory"]),
        CommandCase(["identify", "--probe", "@probe.npz", "--activation", "tanh", "--output", "@teacher.safetensors/run"],
                    naming: ["teacher.safetensors", "not a directory"]),
        CommandCase(["identify", "--output", "@teacher.safetensors"], naming: ["teacher.safetensors", "not a directory"]),
    ]

    @Test(arguments: cases)
    func refusedWithStatus1(_ command: CommandCase) async throws {
        let fixtures = try await Fixtures.shared.value
        try await withScratchDirectory { directory in
            try await expectFailure(command.arguments(with: fixtures), status: 1, naming: command.naming, in: directory,
                              environment: command.environment)
        }
    }
}
