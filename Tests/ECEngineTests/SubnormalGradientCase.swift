import ECCore
import ECEngine
import Testing

/// One float32 step in which a nearly dead neuron's outgoing-weight gradient is subnormal: its
/// output g(−85) ≈ 1.2e-37 is just above float32's smallest normal number, the residual 5e-4 is
/// small, so the gradient 2·5e-4·g(−85) ≈ 1.2e-40 is below it. Both backends train with subnormal
/// numbers flushed to zero, so one SGD step at rate 1 leaves that weight at exactly 0 (IEEE
/// arithmetic would move it to ≈ −1.2e-40) while the output bias learns (0 → −1e-3).
enum SubnormalGradientCase {
    /// Makes a backend with `make` from the case's data, bank and configuration, trains the one
    /// step, and checks the bank after it.
    static func check<Backend: TrainingBackend>(
        _ name: String, _ make: (TrainingData<Float>, StudentBank<Float>, EngineConfiguration) throws -> Backend
    ) throws where Backend.Scalar == Float {
        let backend = try make(data(), bank(), EngineConfiguration(batchSize: 1, optimizer: .sgd))
        _ = try backend.trainEpoch(order: [0], learningRates: [1])
        let trained = try backend.currentBank()
        #expect(trained.weights[1] == [0], "\(name): outgoing weight \(trained.weights[1][0])")
        #expect(trained.biases[1] == [-1e-3], "\(name): output bias \(trained.biases[1][0])")
    }

    private static func data() throws -> TrainingData<Float> {
        try TrainingData(inputs: Matrix<Float>(rows: 1, columns: 1, scalars: [0]),
                         targets: Matrix<Float>(rows: 1, columns: 1, scalars: [-5e-4]))
    }

    private static func bank() throws -> StudentBank<Float> {
        let output = Activation.g.value(Float(-85)), gradient = 2 * Float(5e-4) * output
        #expect(output >= .leastNormalMagnitude && gradient != 0 && gradient < .leastNormalMagnitude,
                "the case needs a normal activation and a subnormal gradient (\(output), \(gradient))")
        return try StudentBank<Float>(widths: [1, 1, 1], count: 1, activation: .g, weights: [[0], [0]], biases: [[-85], [0]])
    }
}
