import ArgumentParser
import ECCore
import ECFormats
import ExpandCluster
import Foundation

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a recovered network with the teacher, up to the activation's symmetries.")

    @Option(help: "Teacher network file.") var teacher: String
    @Option(help: "Recovered network file.") var recovered: String
    @Option(help: "Fresh inputs for the function error: a probe .npz (its x), .npy, IDX images, or fashion-mnist:test (default: Gaussian N(0, I)).")
    var probe: String?
    @Option(parsing: .unconditional, help: "Number of fresh Gaussian inputs.") var samples = 10_000
    @Option(help: "Random seed for the fresh inputs.") var seed: UInt64 = 12345
    @Option(help: "With --probe: auto leaves out of the angles the input coordinates that barely vary over its inputs; none keeps all.")
    var mask: InputMaskRule = .auto
    @Flag(help: "Print the comparison as JSON.") var json = false

    func validate() throws {
        try FlagCheck.positive(samples, "--samples")
    }

    func run() async throws {
        let t = try Network<Double>.load(from: fileURL(teacher))
        let r = try Network<Double>.load(from: fileURL(recovered))
        let fresh = try probe.map { try ProbeInputs.named($0, limit: nil) }
            ?? ProbeInputs.gaussian(count: samples, dimension: t.inputCount, seed: seed)
        let inputMask = probe == nil ? nil : try mask.mask { fresh }
        let comparison: NetworkComparison
        do {
            comparison = try NetworkComparison(teacher: t, recovered: r, freshInputs: fresh, inputMask: inputMask)
        } catch let error as ECError {
            throw error.inContext("comparing \(recovered) with \(teacher)" + (probe.map { " on \($0)" } ?? ""))
        }
        if json {
            try printJSON(comparison)
            return
        }
        print("layer  teacher  recovered  overhead  incoming worst / median (°)  outgoing worst / median (°)  excess")
        for layer in comparison.layers {
            print(String(format: "%5d  %7d  %9d  %+7.1f%%  %12.4g / %-12.4g  %12.4g / %-12.4g  %6d",
                         layer.layer + 1, layer.teacherWidth, layer.recoveredWidth, 100 * layer.overhead,
                         layer.incoming.worstDegrees, layer.incoming.medianDegrees,
                         layer.outgoing.worstDegrees, layer.outgoing.medianDegrees, layer.excess.count))
        }
        print(String(format: "fresh inputs (%d): RMSE %.4g, MSE/Var(y) %.4g", comparison.freshSamples, comparison.rmse, comparison.relativeMSE))
        if comparison.maskedInputs > 0 {
            print("input mask: \(t.inputCount - comparison.maskedInputs) of \(t.inputCount) inputs kept for the angles")
        }
        print("identified: \(comparison.identified ? "yes" : "no") (\(comparison.criteria.description))")
    }
}
