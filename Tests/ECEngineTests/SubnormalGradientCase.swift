import ECCore
import ECEngine
import Testing

/// One float32 step in which a nearly dead neuron's outgoing-weight gradient is subnormal: its
/// output g(−85) ≈ 1.2e-37 is just above float32's smallest normal number, the residual 5e-4 is
/// small, so the gradient 2·5e-4·g(−85) ≈ 1.2e-40 is below it. Both backends train with subnormal
/// numbers flushed to zero, so one SGD step at rate 1 leaves that weight at exactly 0 (IEEE
/// arithmetic would move it to ≈ −1.2e-40) while the output bias learns (0 → −1e-3).
enum SubnormalGradientCase {
    static let configuration = EngineConfiguration(batchSize: 1, optimizer: .sgd)
    static let order: [Int32] = [0]
    static let rates = [1.0]

    static func data() throws -> TrainingData<Float> {
        try TrainingData(inputs: Matrix<Float>(rows: 1, columns: 1, scalars: [0]),
                         targets: Matrix<Float>(rows: 1, columns: 1, scalars: [-5e-4]))
    }

    static func bank() throws -> StudentBank<Float> {
        let output = Activation.g.value(Float(-85)), gradient = 2 * Float(5e-4) * output
        #expect(output >= .leastNormalMagnitude && gradient != 0 && gradient < .leastNormalMagnitude,
                "the case needs a normal activation and a subnormal gradient (\(output), \(gradient))")
        return try StudentBank<Float>(widths: [1, 1, 1], count: 1, activation: .g, weights: [[0], [0]], biases: [[-85], [0]])
    }

    /// Checks the bank after the step.
    static func check(_ trained: StudentBank<Float>, _ backend: String) {
        #expect(trained.weights[1] == [0], "\(backend): outgoing weight \(trained.weights[1][0])")
        #expect(trained.biases[1] == [-1e-3], "\(backend): output bias \(trained.biases[1][0])")
    }
}
