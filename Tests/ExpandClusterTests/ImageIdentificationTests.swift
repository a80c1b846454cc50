import ECCore
import ECEngine
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The MNIST-scale path, scaled down to fit a test: a 784-8-10 classifier teacher trained on
/// Fashion-MNIST images, probed with images, identified in float32 with the input mask and the
/// data metric, compared on the held-out images. A few hundred epochs cannot identify it (that
/// takes ~10,000 here, see Benchmarks/RESULTS.md); the test checks that every stage runs at this
/// size and gives what it should.
struct ImageIdentificationTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ImageDatasetSource.fashionMNISTDirectory.path)),
          .timeLimit(.minutes(2)))
    func fashionMNISTTeacherRunsThroughThePipeline() throws {
        let source = try ImageDatasetSource.fashionMNIST()
        let training = TeacherTraining(hiddenWidths: [8], activation: .g, epochs: 3, trainSamples: 2000,
                                       backend: BackendChoice(kind: .cpu))
        let teacher = try training.run(source: source).network
        #expect(teacher.widths == [784, 8, 10])
        let inputs = try ProbeInputs.named("fashion-mnist", limit: 800)
        let targets = teacher(inputs)
        let mask = try InputMask.derive(from: inputs)
        #expect(InputMask.keptCount(mask, of: 784) > 700 && InputMask.keptCount(mask, of: 784) < 784)

        var options = IdentifyOptions(activation: .g, hiddenLayers: 1, referenceWidths: [8], students: 6, rho: 2,
                                      precision: .float32, backend: BackendChoice(kind: .cpu), expansionEpochs: 150, seed: 1)
        options.fineTuning.maximumEpochs = 50
        options.inputMask = mask
        let result = try Identification(options: options).run(inputs: inputs, targets: targets)
        #expect(result.report.keptInputs == InputMask.keptCount(mask, of: 784))
        #expect(result.students.widths == [784, 16, 10] && result.students.count == 6)
        #expect(result.recovered.inputCount == 784 && result.recovered.outputCount == 10)
        #expect(result.recovered.hiddenWidths[0] >= 1)
        let fresh = try ProbeInputs.named("fashion-mnist:test", limit: 1000)
        let comparison = try NetworkComparison(teacher: teacher, recovered: result.recovered, freshInputs: fresh,
                                               inputMask: mask)
        #expect(comparison.maskedInputs == 784 - InputMask.keptCount(mask, of: 784))
        #expect(comparison.relativeMSE.isFinite && comparison.relativeMSE < 1, "the recovered network explains part of y")
    }
}
