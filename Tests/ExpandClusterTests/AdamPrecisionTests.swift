import ECCore
import ECEngine
import ECFormats
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// Adam's steps in float32 in a float64 run: the expansion trains and checkpoints in float32, the
/// polish and everything after it in float64.
struct AdamPrecisionTests {
    /// The element type of the students' first layer in a phase's checkpoint in `directory`.
    static func weightType(_ phase: PhaseID, in directory: URL) throws -> TensorDType? {
        let file = try SafetensorsFile.read(from: directory.appendingPathComponent("checkpoints/\(phase.name).safetensors"))
        return file["students.layers.0.weight"]?.dtype
    }

    /// float32 Adam against the default float64 Adam on one problem: checkpoints in each precision,
    /// and after the float64 polish the same floor, most students at the same loss, and the teacher.
    @Test(.timeLimit(.minutes(2)))
    func float32AdamIsPolishedInFloat64ToTheSameStudents() throws {
        let (teacher, x, y) = try IdentificationTests.problem(.tanh, seed: 2)
        var results = [Precision: IdentifyResult]()
        for precision in [Precision.float32, .float64] {
            var options = IdentificationTests.options(.tanh)
            #expect(options.expansion.precision == nil && options.pilot.training.precision == nil, "the run's precision by default")
            if precision == .float32 { options.setAdamPrecision(.float32) }
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            results[precision] = try Identification(options: options, store: try RunDirectory(url: directory)).run(inputs: x, targets: y)
            #expect(try Self.weightType(.expand, in: directory) == TensorDType(rawValue: precision.rawValue), "\(precision) Adam")
            #expect(try Self.weightType(.polishExpansion, in: directory) == .float64, "\(precision) Adam")
        }
        let (single, double) = (try #require(results[.float32]), try #require(results[.float64]))
        // Float32 rounding is a small change of each student's trajectory: most students end at the
        // same polished loss, a few elsewhere below the same floor (which ones depends on the
        // BLAS kernels: Benchmarks/RESULTS.md, "Toy failures are trajectory luck").
        let pairs = Array(zip(single.report.studentRelativeLosses, double.report.studentRelativeLosses))
        let same = pairs.filter { $0.0 / $0.1 > 0.5 && $0.0 / $0.1 < 2 }.count
        #expect(pairs.count == 10 && same >= 8, "\(same) of \(pairs.count) students at the same polished loss: \(pairs)")
        #expect(pairs.allSatisfy { $0.0 < 1e-10 && $0.1 < 1e-10 }, "polished MSE/Var(y) after float32 and float64 Adam: \(pairs)")
        let comparison = try NetworkComparison(teacher: teacher, recovered: single.recovered,
                                               freshInputs: try ProbeInputs.gaussian(count: 5000, dimension: 4, seed: 77))
        #expect(comparison.identified && comparison.layers[0].incoming.worstDegrees < 1e-4,
                "worst angle \(comparison.layers[0].incoming.worstDegrees)°, MSE/Var(y) \(comparison.relativeMSE)")
    }

    /// A run killed in its float32 expansion resumes from the float32 checkpoint (Adam's moments
    /// in float32 too) to the uninterrupted result.
    @Test(.timeLimit(.minutes(2)))
    func killedFloat32ExpansionResumesToTheSameResult() throws {
        let (_, x, y) = try IdentificationTests.problem(.tanh, seed: 3)
        var options = IdentificationTests.options(.tanh)
        options.setAdamPrecision(.float32)
        (options.expansion.maximumEpochs, options.fineTuning.maximumEpochs) = (300, 300)
        options.checkpointSeconds = 0   // a checkpoint after every epoch
        let reference = try Identification(options: options).run(inputs: x, targets: y)

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: IdentificationTests.FailingStore.Killed.self) {
            try Identification(options: options, store: IdentificationTests.FailingStore(try RunDirectory(url: directory), failAfter: 137))
                .run(inputs: x, targets: y)
        }
        let file = try SafetensorsFile.read(from: directory.appendingPathComponent("checkpoints/\(PhaseID.expand.name).safetensors"))
        #expect(file.metadata["finished"] == "false" && file["students.layers.0.weight"]?.dtype == .float32
                && file["optimizer.first.layers.0.weight"]?.dtype == .float32)
        let resumed = try Identification(options: options, store: try RunDirectory(url: directory)).run(inputs: x, targets: y)
        #expect(resumed.students == reference.students, "the resumed expansion repeats the uninterrupted one exactly")
        #expect(resumed.recovered == reference.recovered)
    }

    /// A float64 phase cannot run inside a float32 run; the error names the field.
    @Test func float64AdamInAFloat32RunIsRejected() throws {
        var options = IdentificationTests.options(.tanh)
        options.precision = .float32
        options.setAdamPrecision(.float64)
        let settings = IdentifySettings(probe: "p.npz", probeFingerprint: nil, teacher: nil, options: options, freshInputs: nil)
        #expect(throws: ECError.invalidArgument("options.expansion.precision must be float32 or null in a float32 run (got float64)")) {
            try settings.validate()
        }
    }
}
