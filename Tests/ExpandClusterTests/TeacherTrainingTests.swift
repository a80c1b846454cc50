import ECCore
import ECEngine
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// Training a classifier teacher: it learns a separable problem, and the OpenCL backend trains
/// it as the CPU backend does.
struct TeacherTrainingTests {
    /// 6×6 grey images in two classes: class 0 brighter on the left half, class 1 on the right,
    /// under pixel noise; normalised as `ImageDataset` normalises 8-bit pixels.
    static func halves<T: Real>(_: T.Type, count: Int, seed: UInt64) throws -> LabelledImages<T> {
        var random = RandomSource(seed: seed)
        var pixels = [T](), labels = [Int32]()
        for i in 0..<count {
            let label = Int32(i % 2)
            for _ in 0..<6 {
                for column in 0..<6 {
                    let bright = (column < 3) == (label == 0)
                    let value = (bright ? 160 : 90) + random.uniform(-60, 60)
                    pixels.append(T(ProbeInputs.PixelNormalization.standard.normalize(value.rounded())))
                }
            }
            labels.append(label)
        }
        return try LabelledImages(images: Matrix(rows: count, columns: 36, scalars: pixels), labels: labels)
    }

    static func dataset<T: Real>(_ type: T.Type) throws -> ImageDataset<T> {
        try ImageDataset(name: "halves", classes: 2, train: halves(type, count: 300, seed: 1),
                         test: halves(type, count: 200, seed: 2))
    }

    @Test func learnsASeparableProblemOnTheCPU() throws {
        let training = TeacherTraining(hiddenWidths: [4], activation: .g, epochs: 10, batchSize: 16,
                                       backend: .init(kind: .cpu))
        var epochs = [TeacherTraining.Epoch]()
        let result = try training.run(on: Self.dataset(Float.self)) { epochs.append($0) }
        #expect(result.trainAccuracy > 0.95 && (result.testAccuracy ?? 0) > 0.95)
        #expect(epochs.map(\.epoch) == Array(1...10) && epochs.last!.loss < epochs.first!.loss)
        #expect(result.network.widths == [36, 4, 2] && result.precision == .float32)
        let metadata = result.metadata(training)
        #expect(metadata["dataset"] == "halves" && metadata["epochs"] == "10" && metadata["train_samples"] == "300")
        #expect(metadata["test_accuracy"] == String(result.testAccuracy!))
    }

    @Test func openCLTrainsAsTheCPUDoes() throws {
        try preparePoCL()
        let dataset = try Self.dataset(Double.self)
        func train(_ kind: BackendChoice.Kind) throws -> TeacherTraining.Result {
            try TeacherTraining(hiddenWidths: [5], activation: .tanh, epochs: 3, batchSize: 32, seed: 4,
                                trainSamples: 250, backend: .init(kind: kind)).run(on: dataset)
        }
        let (cpu, openCL) = (try train(.cpu), try train(.opencl))
        #expect(openCL.device.contains("OpenCL"))
        #expect(maxRelativeError(openCL.log.map(\.loss), cpu.log.map(\.loss)) < 1e-9)
        let parameters = { (n: Network<Double>) in n.layers.flatMap { $0.weight.scalars + $0.bias } }
        #expect(maxRelativeError(parameters(openCL.network), parameters(cpu.network), floor: 1e-3) < 1e-9)
        #expect(openCL.testAccuracy == cpu.testAccuracy && cpu.trainSamples == 250)
    }

    @Test func badSettingsAreOneLineErrors() throws {
        let dataset = try Self.dataset(Float.self)
        let cases: [(TeacherTraining, String)] = [
            (TeacherTraining(hiddenWidths: [4], activation: .g, epochs: 0), "--epochs must be positive"),
            (TeacherTraining(hiddenWidths: [4], activation: .g, learningRate: -1), "--lr must be positive"),
            (TeacherTraining(hiddenWidths: [], activation: .g), "--widths must name at least one hidden layer"),
            (TeacherTraining(hiddenWidths: [4], activation: .g, trainSamples: 301), "--train-samples 301 exceeds the 300"),
        ]
        for (training, message) in cases {
            let error = #expect(throws: ECError.self) { try training.run(on: dataset) }
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error") lacks \(message)")
        }
    }
}
