import ECCore
import ECEngine
import Testing
import TestSupport

/// The OpenCL backend sums an epoch's losses as the CPU backend does: each minibatch's sum in the
/// working precision, the minibatches' sums in double. With 5,000 minibatches of one identical
/// sample every minibatch's loss is the same float, which a float32 running sum accumulates with a
/// relative error of a few 1e-5; summed in double the two backends agree to the last bits of one
/// minibatch's loss.
struct OpenCLEpochLossTests {
    static let samples = 5_000

    @Test(arguments: [OpenCLBackend<Float>.EpochPath.general, .fused])
    func float32EpochLossIsSummedAsOnTheCPU(path: OpenCLBackend<Float>.EpochPath) throws {
        let inputs = Matrix<Float>(rows: Self.samples, columns: 2, repeating: 0.7)
        let targets = Matrix<Float>(rows: Self.samples, columns: 1, repeating: -0.45)
        let data = try TrainingData(inputs: inputs, targets: targets)
        let bank = try StudentBank<Float>.random(widths: [2, 3, 1], count: 3, activation: .g, seed: 17)
        let configuration = EngineConfiguration(batchSize: 1)
        let cpu = try CPUBackend(data: data, bank: bank, configuration: configuration)
        let device = try OpenCLBackend(context: DeviceTest.context, data: data, bank: bank,
                                       configuration: configuration, path: path)
        let expected = try cpu.evaluateLosses()
        #expect(maxRelativeError(try device.evaluateLosses(), expected) < 2e-6)
        // In a training epoch too: the last student's rate is 0, so its loss is still the bank's.
        let order = (0..<Int32(Self.samples)).map { $0 }
        let rates = [1e-4, 2e-4, 0]
        let (trained, trainedOnCPU) = (try device.trainEpoch(order: order, learningRates: rates),
                                       try cpu.trainEpoch(order: order, learningRates: rates))
        #expect(maxRelativeError([trained[2]], [trainedOnCPU[2]]) < 2e-6)
        #expect(maxRelativeError([trained[2]], [expected[2]]) < 2e-6)
    }
}
