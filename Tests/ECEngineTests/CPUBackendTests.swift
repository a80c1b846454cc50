import ECCore
import ECEngine
import Foundation
import Testing
import TestSupport

/// The CPU backend against plain references: finite-difference gradients of a whole bank, a
/// hand-computed Adam step, frozen layers, thread-count independence.
struct CPUBackendTests {
    static func data(inputs: Int, outputs: Int, samples: Int, seed: UInt64) throws -> TrainingData<Double> {
        try TrainingData(inputs: randomMatrix(samples, inputs, seed: seed), targets: randomMatrix(samples, outputs, seed: seed + 1))
    }

    /// The gradient the backend applies, read back from one full-batch SGD step with rate 1.
    static func appliedGradient(_ bank: StudentBank<Double>, _ data: TrainingData<Double>,
                                _ configuration: EngineConfiguration) throws -> [[Double]] {
        var configuration = configuration
        configuration.optimizer = .sgd
        configuration.batchSize = data.sampleCount
        let backend = try CPUBackend(data: data, bank: bank, configuration: configuration)
        _ = try backend.trainEpoch(order: (0..<Int32(data.sampleCount)).map { $0 },
                                   learningRates: Array(repeating: 1, count: bank.count))
        let after = try backend.currentBank().tensors
        return zip(bank.tensors, after).map { zip($0, $1).map { $0 - $1 } }
    }

    static func losses(_ bank: StudentBank<Double>, _ data: TrainingData<Double>,
                       _ configuration: EngineConfiguration) throws -> [Double] {
        try CPUBackend(data: data, bank: bank, configuration: configuration).evaluateLosses()
    }

    /// Central differences on every parameter of every student, float64.
    static func checkGradients(activation: Activation, widths: [Int], students: Int, skip: Bool,
                               configuration: EngineConfiguration, data: TrainingData<Double>) throws {
        let bank = try StudentBank<Double>.random(widths: widths, count: students, activation: activation, seed: 5, skip: skip)
        var perturbedBank = bank
        if skip { perturbedBank.skip = perturbedBank.skip!.indices.map { Double($0 % 7) * 0.03 - 0.1 } }
        let analytic = try appliedGradient(perturbedBank, data, configuration)
        let h = 1e-6
        var worst = 0.0
        for (t, tensor) in perturbedBank.tensors.enumerated() {
            let perStudent = tensor.count / students
            for j in tensor.indices {
                var plus = perturbedBank.tensors, minus = plus
                plus[t][j] += h
                minus[t][j] -= h
                var bp = perturbedBank, bm = perturbedBank
                bp.setTensors(plus)
                bm.setTensors(minus)
                let student = j / perStudent
                let numeric = (try losses(bp, data, configuration)[student] - losses(bm, data, configuration)[student]) / (2 * h)
                let error = abs(numeric - analytic[t][j]) / max(1e-3, abs(numeric))
                worst = max(worst, error)
            }
        }
        #expect(worst < 1e-6, "worst relative gradient error \(worst) for \(activation) \(widths)")
    }

    @Test(arguments: [Activation.g, .tanh, .softplus, .sigmoid, .silu, .gelu])
    func squaredErrorGradientsMatchFiniteDifferences(_ activation: Activation) throws {
        let data = try Self.data(inputs: 3, outputs: 2, samples: 37, seed: 1)
        try Self.checkGradients(activation: activation, widths: [3, 4, 3, 2], students: 3, skip: true,
                                configuration: EngineConfiguration(), data: data)
    }

    @Test func crossEntropyGradientsMatchFiniteDifferences() throws {
        let x: Matrix<Double> = randomMatrix(29, 4, seed: 3)
        let labels = (0..<29).map { Int32($0 % 3) }
        let data = try TrainingData(inputs: x, labels: labels, classes: 3)
        try Self.checkGradients(activation: .g, widths: [4, 5, 3], students: 2, skip: false,
                                configuration: EngineConfiguration(loss: .crossEntropy), data: data)
    }

    @Test func adamStepMatchesHandComputedValues() throws {
        // One student, y = w·x + b with w = 0.5, b = 0.25 on the single sample x = 1, y = 0:
        // loss (w + b)², gradient 2(w + b) = 1.5 for both parameters.
        // Step 1: m = 0.1·1.5 = 0.15, v = 0.001·2.25 = 0.00225, m̂ = 1.5, v̂ = 2.25,
        //   Δ = 1e-3 · 1.5 / (1.5 + 1e-8) = 9.999999933333334e-4.
        // Step 2 (w = 0.49900000000666667, b = 0.24900000000666667, gradient g = 1.4960000000266667):
        //   m = 0.9·0.15 + 0.1·g = 0.2846000000026667, v = 0.999·0.00225 + 0.001·g² = 0.004485766000079787,
        //   m̂ = m/0.19 = 1.497894736856141, v̂ = v/0.001999 = 2.2440050025411944, √v̂ = 1.4980003346265296,
        //   Δ = 1e-3 · 1.497894736856141 / (1.4980003346265296 + 1e-8) = 9.999295008370544e-4.
        let bank = try StudentBank<Double>(widths: [1, 1], count: 1, activation: .identity,
                                           weights: [[0.5]], biases: [[0.25]])
        let data = try TrainingData(inputs: Matrix(rows: 1, columns: 1, scalars: [1.0]),
                                    targets: Matrix(rows: 1, columns: 1, scalars: [0.0]))
        let backend = try CPUBackend(data: data, bank: bank, configuration: EngineConfiguration(batchSize: 1))
        _ = try backend.trainEpoch(order: [0], learningRates: [1e-3])
        let afterOne = try backend.currentBank()
        #expect(abs(afterOne.weights[0][0] - (0.5 - 9.999999933333334e-4)) < 1e-15)
        #expect(abs(afterOne.biases[0][0] - (0.25 - 9.999999933333334e-4)) < 1e-15)
        _ = try backend.trainEpoch(order: [0], learningRates: [1e-3])
        let afterTwo = try backend.currentBank()
        #expect(abs(afterTwo.weights[0][0] - 0.4980000705058296) < 1e-15)
        #expect(abs(afterTwo.biases[0][0] - 0.24800007050582962) < 1e-15)
        let state = try backend.currentOptimizerState()
        #expect(state.step == 2)
        #expect(abs(state.firstMoments[0][0] - 0.2846000000026667) < 1e-15)
        #expect(abs(state.secondMoments[0][0] - 0.004485766000079787) < 1e-16)
    }

    @Test func frozenLayersAndStoppedStudentsDoNotMove() throws {
        let data = try Self.data(inputs: 3, outputs: 1, samples: 50, seed: 4)
        let bank = try StudentBank<Double>.random(widths: [3, 6, 1], count: 3, activation: .tanh, seed: 2)
        let backend = try CPUBackend(data: data, bank: bank,
                                     configuration: EngineConfiguration(batchSize: 16, layerLearningRateScales: [0, 1]))
        _ = try backend.trainEpoch(order: (0..<50).map { $0 }, learningRates: [1e-2, 0, 1e-2])
        let after = try backend.currentBank()
        #expect(after.weights[0] == bank.weights[0] && after.biases[0] == bank.biases[0])
        #expect(after.weights[1] != bank.weights[1])
        #expect(after.student(1) == bank.student(1))
    }

    @Test func resultsDoNotDependOnThreadCount() throws {
        let data = try Self.data(inputs: 4, outputs: 2, samples: 300, seed: 8)
        let bank = try StudentBank<Double>.random(widths: [4, 8, 5, 2], count: 5, activation: .g, seed: 3)
        var banks = [StudentBank<Double>]()
        for threads in [1, 2, 5] {
            let backend = try CPUBackend(data: data, bank: bank, configuration: EngineConfiguration(batchSize: 64), threads: threads)
            for _ in 0..<3 { _ = try backend.trainEpoch(order: (0..<300).map { Int32(299 - $0) }, learningRates: Array(repeating: 1e-3, count: 5)) }
            banks.append(try backend.currentBank())
        }
        #expect(banks[0] == banks[1] && banks[1] == banks[2])
    }

    @Test func float32AgreesWithFloat64() throws {
        let data = try Self.data(inputs: 4, outputs: 2, samples: 200, seed: 9)
        let bank = try StudentBank<Double>.random(widths: [4, 8, 2], count: 3, activation: .g, seed: 4, skip: true)
        let single = try TrainingData<Float>(inputs: data.inputs.converted(), targets: data.targets.converted())
        let b64 = try CPUBackend(data: data, bank: bank, configuration: EngineConfiguration(batchSize: 50))
        let b32 = try CPUBackend(data: single, bank: bank.converted(to: Float.self), configuration: EngineConfiguration(batchSize: 50))
        let order = (0..<200).map { Int32($0) }
        let l64 = try b64.trainEpoch(order: order, learningRates: [1e-3, 1e-3, 1e-3])
        let l32 = try b32.trainEpoch(order: order, learningRates: [1e-3, 1e-3, 1e-3])
        #expect(maxRelativeError(l32, l64) < 1e-5)
        #expect(maxRelativeError(try b32.currentBank().weights[0], try b64.currentBank().weights[0], floor: 1e-2) < 1e-4)
    }

    /// A minibatch larger than the data trains as one of the whole data, with buffers for that
    /// (Int.max used to overflow the buffer sizes, 10⁸ to allocate 32 GB).
    @Test func aMinibatchLargerThanTheDataIsTheWholeData() throws {
        let data = try Self.data(inputs: 4, outputs: 2, samples: 90, seed: 10)
        let bank = try StudentBank<Double>.random(widths: [4, 6, 2], count: 2, activation: .g, seed: 5)
        let order = (0..<90).map { Int32(89 - $0) }
        var banks = [StudentBank<Double>](), losses = [[Double]]()
        for batchSize in [90, 1_000_000_000, Int.max] {
            let backend = try CPUBackend(data: data, bank: bank, configuration: EngineConfiguration(batchSize: batchSize))
            #expect(backend.configuration.batchSize == 90)
            for _ in 0..<2 { losses.append(try backend.trainEpoch(order: order, learningRates: [1e-2, 1e-3])) }
            banks.append(try backend.currentBank())
        }
        #expect(banks[0] != bank && banks.allSatisfy { $0 == banks[0] })
        #expect(losses[0...1] == losses[2...3] && losses[0...1] == losses[4...5])
    }

    @Test func mismatchedDataIsRejected() throws {
        let data = try Self.data(inputs: 3, outputs: 2, samples: 10, seed: 1)
        let bank = try StudentBank<Double>.random(widths: [4, 5, 2], count: 2, activation: .g, seed: 1)
        #expect(throws: ECError.self) { try CPUBackend(data: data, bank: bank, configuration: EngineConfiguration()) }
        var x: Matrix<Double> = randomMatrix(5, 2, seed: 1)
        x[2, 1] = .nan
        #expect(throws: ECError.self) { try TrainingData(inputs: x, targets: randomMatrix(5, 1, seed: 2)) }
    }

    /// Training flushes subnormal numbers to zero (`SubnormalGradientCase`).
    @Test func trainingFlushesSubnormalGradientsToZero() throws {
        try SubnormalGradientCase.check("CPU") { try CPUBackend(data: $0, bank: $1, configuration: $2) }
    }
}
