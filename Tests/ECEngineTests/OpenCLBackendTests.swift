import ECCore
import ECEngine
import Testing
import TestSupport

/// Whole training on the OpenCL backend against the CPU backend: per-student losses of every
/// epoch, the final parameters and the optimiser state, on both epoch paths, for shallow and deep
/// students, with a skip term, frozen layers, stopped students, partial last minibatches, both
/// losses and both optimisers.
struct OpenCLBackendTests {
    /// A bank, its data and how it is trained.
    struct Scenario: CustomStringConvertible, Sendable {
        var name: String
        var widths: [Int]
        var students = 3
        var activation = Activation.g
        var skip = false
        var loss = LossFunction.meanSquaredError
        var optimizer = Optimizer.standardAdam
        var scales: [Double] = []
        var batchSize = 16
        /// Not a multiple of the batch size, so that each epoch ends with a partial minibatch.
        var samples = 70
        var rate = 1e-2
        /// Against the CPU in float32, whose sums round in another order than OpenBLAS's.
        var float32Tolerance = 1e-4

        var description: String { name }
        var configuration: EngineConfiguration {
            EngineConfiguration(batchSize: batchSize, loss: loss, optimizer: optimizer, layerLearningRateScales: scales)
        }
        /// The second student is stopped (rate 0) throughout.
        var rates: [Double] { (0..<students).map { $0 == 1 ? 0 : rate * (1 + 0.25 * Double($0)) } }

        func data<T: Real>(_: T.Type) throws -> TrainingData<T> {
            let x: Matrix<T> = randomMatrix(samples, widths[0], seed: 61)
            let outputs = widths[widths.count - 1]
            return loss == .crossEntropy
                ? try TrainingData(inputs: x, labels: (0..<samples).map { Int32($0 * 7 % outputs) }, classes: outputs)
                : try TrainingData(inputs: x, targets: randomMatrix(samples, outputs, seed: 62))
        }

        /// Random students; a skip term starts non-zero so that it contributes from the first step.
        func bank<T: Real>(_: T.Type) throws -> StudentBank<T> {
            var bank = try StudentBank<T>.random(widths: widths, count: students, activation: activation, seed: 63, skip: skip)
            if skip { bank.skip = DeviceTest.random(bank.skip!.count, seed: 64, scale: 0.3) }
            return bank
        }
    }

    static let shallow = Scenario(name: "one hidden layer, skip term", widths: [3, 5, 2], students: 4, skip: true)
    static let crossEntropy = Scenario(name: "cross-entropy, SGD", widths: [4, 7, 3], activation: .softplus,
                                       loss: .crossEntropy, optimizer: .sgd, batchSize: 25, samples: 90, rate: 0.05)
    static let frozenHidden = Scenario(name: "frozen hidden layer", widths: [3, 6, 1], activation: .sigmoid, skip: true,
                                       scales: [0, 1, 0.5])
    static let deep = Scenario(name: "three hidden layers, first frozen", widths: [4, 6, 5, 3, 2], activation: .tanh,
                               skip: true, scales: [0, 1, 0.5, 1, 1], batchSize: 32, samples: 100)
    static let noHidden = Scenario(name: "no hidden layer", widths: [3, 2], activation: .identity, skip: true)
    static let batchBeyondTheData = Scenario(name: "minibatch larger than the data", widths: [3, 4, 2], batchSize: .max)

    /// The layer steps (layer_step.cl) where the general path takes them, and the plain products
    /// where a layer is too wide for them; odd minibatches, no skip term unless named (the
    /// scenarios above have one, at a layer scale of 0.5 where frozenHidden trains).
    static let layerSteps = [
        Scenario(name: "one student", widths: [5, 9, 3], students: 1, batchSize: 13),
        Scenario(name: "three hidden layers, nine students, SGD, skip term", widths: [4, 7, 5, 6, 3], students: 9,
                 activation: .tanh, skip: true, optimizer: .sgd, batchSize: 13, rate: 0.05),
        Scenario(name: "frozen output layer, skip term, cross-entropy", widths: [4, 6, 5, 16], activation: .softplus, skip: true,
                 loss: .crossEntropy, scales: [1, 0.5, 0], batchSize: 11, samples: 90),
        Scenario(name: "no hidden layer, no skip term", widths: [6, 5], activation: .identity, batchSize: 9),
        Scenario(name: "output too wide for its step", widths: [3, 6, 17], skip: true, batchSize: 13),
        // Sums of 130 terms: float32 rounds further from the CPU's (float64 still agrees to 1e-10).
        Scenario(name: "a hidden layer too wide for its step", widths: [3, 8, 130, 129, 2], activation: .tanh, batchSize: 13,
                 float32Tolerance: 3e-4),
    ]

    @Test(arguments: layerSteps)
    func layerStepsMatchTheCPUInFloat64(scenario: Scenario) throws {
        try compare(Double.self, scenario, path: "general", tolerance: 1e-10)
    }

    @Test(arguments: layerSteps)
    func layerStepsMatchTheCPUInFloat32(scenario: Scenario) throws {
        try compare(Float.self, scenario, path: "general", tolerance: scenario.float32Tolerance)
    }

    /// The A/B of a card, every layer in its matrix products (`layerSteps=0`), trains as the CPU does.
    @Test func withoutLayerStepsMatchesTheCPU() throws {
        var tuning = try DeviceTest.tuning
        tuning.layerSteps = 0
        try compare(Double.self, Self.layerSteps[1], path: "general", tolerance: 1e-10, tuning: tuning)
    }

    /// The layer steps sum in a fixed order: two runs give the same bits.
    @Test func layerStepsAreDeterministic() throws {
        let scenario = Self.layerSteps[1]
        let (data, bank) = (try scenario.data(Float.self), try scenario.bank(Float.self))
        var random = RandomSource(seed: 4)
        let order = random.permutation(scenario.samples)
        let runs = try (0..<2).map { _ in
            let backend = try OpenCLBackend(context: DeviceTest.context, data: data, bank: bank,
                                            configuration: scenario.configuration, path: .general)
            let losses = try backend.trainEpoch(order: order, learningRates: scenario.rates)
            return (losses, try backend.currentBank().tensors)
        }
        #expect(runs[0].0 == runs[1].0)
        #expect(runs[0].1 == runs[1].1)
    }

    /// The kernels flush subnormal numbers to zero as the CPU backend does (`SubnormalGradientCase`).
    @Test(arguments: [OpenCLBackend<Float>.EpochPath.general, .fused])
    func trainingFlushesSubnormalGradientsToZero(path: OpenCLBackend<Float>.EpochPath) throws {
        try SubnormalGradientCase.check("OpenCL \(path.rawValue)") {
            try OpenCLBackend(context: DeviceTest.context, data: $0, bank: $1, configuration: $2, path: path)
        }
    }

    @Test(arguments: [shallow, crossEntropy, frozenHidden], [OpenCLBackend<Double>.EpochPath.general, .fused])
    func oneHiddenLayerMatchesTheCPUInFloat64(scenario: Scenario, path: OpenCLBackend<Double>.EpochPath) throws {
        try compare(Double.self, scenario, path: path.rawValue, tolerance: 1e-10)
    }

    @Test(arguments: [deep, noHidden, batchBeyondTheData])
    func otherDepthsMatchTheCPUInFloat64(scenario: Scenario) throws {
        try compare(Double.self, scenario, path: "general", tolerance: 1e-10)
    }

    @Test(arguments: [shallow, deep], ["general", "fused"])
    func float32MatchesTheCPU(scenario: Scenario, path: String) throws {
        guard scenario.widths.count == 3 || path == "general" else { return }
        try compare(Float.self, scenario, path: path, tolerance: 1e-4)
    }

    /// The GPU's tiles halved for small products (`fillGroups` above every grid here, so down to
    /// one result per work-item) train as the CPU does, in both versions of the tiles.
    @Test(arguments: [1, 2])
    func halvedTilesMatchTheCPU(version: Int) throws {
        var tuning = try DeviceTest.tuning
        (tuning.tileM, tuning.tileN, tuning.workM, tuning.workN, tuning.fillGroups) = (128, 128, 8, 8, 1_000)
        tuning.gemmVersion = version
        try compare(Double.self, Self.deep, path: "general", tolerance: 1e-10, tuning: tuning)
    }

    /// Version 2 of the tiles (vector reads, double buffering) at the GPU's size, whole training
    /// (the other tests here run it in 64 × 64 tiles, PoCL's default).
    @Test func blockedTilesAtTheGPUsSizeMatchTheCPU() throws {
        var tuning = try DeviceTest.tuning
        (tuning.tileM, tuning.tileN, tuning.workM, tuning.workN, tuning.gemmVersion) = (128, 128, 8, 8, 2)
        try compare(Double.self, Self.deep, path: "general", tolerance: 1e-10, tuning: tuning)
    }

    /// The toy shape with work-groups of 32: each work-item owns several parameters and each
    /// minibatch of 512 is staged in many chunks.
    @Test func fusedPathEqualsGeneralPathOnTheToyShape() throws {
        let scenario = Scenario(name: "toy", widths: [4, 32, 1], students: 5, batchSize: 512, samples: 1500, rate: 1e-3)
        var tuning = try DeviceTest.tuning
        tuning.fusedGroup = 32
        let (data, bank) = (try scenario.data(Float.self), try scenario.bank(Float.self))
        let context = try DeviceTest.context
        let fused = try OpenCLBackend(context: context, data: data, bank: bank, configuration: scenario.configuration,
                                      tuning: tuning)
        let general = try OpenCLBackend(context: context, data: data, bank: bank, configuration: scenario.configuration,
                                        path: .general, tuning: tuning)
        #expect(fused.path == .fused && general.path == .general)
        var random = RandomSource(seed: 9)
        for _ in 0..<3 {
            let order = random.permutation(scenario.samples)
            let (a, b) = (try fused.trainEpoch(order: order, learningRates: scenario.rates),
                          try general.trainEpoch(order: order, learningRates: scenario.rates))
            #expect(maxRelativeError(a, b) < 1e-5)
        }
        #expect(maxRelativeError(try fused.currentBank().weights[0], try general.currentBank().weights[0], floor: 1e-2) < 1e-5)
    }

    @Test func automaticPathIsFusedOnlyForSmallOneHiddenLayerBanks() throws {
        let context = try DeviceTest.context
        for (scenario, expected) in [(Self.shallow, OpenCLBackend<Double>.EpochPath.fused), (Self.deep, .general)] {
            let backend = try OpenCLBackend(context: context, data: scenario.data(Double.self), bank: scenario.bank(Double.self),
                                            configuration: scenario.configuration)
            #expect(backend.path == expected)
            #expect(backend.deviceDescription.contains(context.device.name))
            #expect((backend.peakDeviceMemoryBytes ?? 0) > 0)
        }
        #expect(throws: ECError.self) {
            try OpenCLBackend(context: context, data: Self.deep.data(Double.self), bank: Self.deep.bank(Double.self),
                              configuration: Self.deep.configuration, path: .fused)
        }
    }

    /// A backend built from another's bank and optimiser state continues exactly where it stopped.
    @Test(arguments: ["general", "fused"])
    func resumesFromTheCPUsState(path: String) throws {
        let scenario = Self.shallow
        let data = try scenario.data(Double.self)
        let cpu = try CPUBackend(data: data, bank: scenario.bank(Double.self), configuration: scenario.configuration)
        _ = try cpu.trainEpoch(order: (0..<70).map { Int32($0) }, learningRates: scenario.rates)
        let device = try OpenCLBackend(context: DeviceTest.context, data: data, bank: cpu.currentBank(),
                                       optimizerState: cpu.currentOptimizerState(), configuration: scenario.configuration,
                                       path: OpenCLBackend<Double>.EpochPath(rawValue: path)!)
        let order = (0..<70).map { Int32(69 - $0) }
        #expect(maxRelativeError(try device.trainEpoch(order: order, learningRates: scenario.rates),
                                 try cpu.trainEpoch(order: order, learningRates: scenario.rates)) < 1e-10)
        #expect(try device.currentOptimizerState().step == 2 * 5)
    }

    @Test func ordersOutsideTheProbeSetAreRefused() throws {
        let scenario = Self.noHidden
        let backend = try OpenCLBackend(context: DeviceTest.context, data: scenario.data(Double.self),
                                        bank: scenario.bank(Double.self), configuration: scenario.configuration)
        #expect(throws: ECError.self) { try backend.trainEpoch(order: [0, 70], learningRates: scenario.rates) }
    }

    /// Three epochs on both backends from the same bank: every epoch's losses, then the losses on
    /// all samples, the parameters and the optimiser state.
    private func compare<T: Real>(_: T.Type, _ scenario: Scenario, path: String, tolerance: Double,
                                  tuning: KernelTuning? = nil) throws {
        let (data, bank) = (try scenario.data(T.self), try scenario.bank(T.self))
        let cpu = try CPUBackend(data: data, bank: bank, configuration: scenario.configuration)
        let device = try OpenCLBackend(context: DeviceTest.context, data: data, bank: bank,
                                       configuration: scenario.configuration,
                                       path: OpenCLBackend<T>.EpochPath(rawValue: path)!,
                                       tuning: tuning)
        var random = RandomSource(seed: 5)
        for epoch in 0..<3 {
            let order = random.permutation(scenario.samples)
            let expected = try cpu.trainEpoch(order: order, learningRates: scenario.rates)
            let losses = try device.trainEpoch(order: order, learningRates: scenario.rates)
            #expect(maxRelativeError(losses, expected) < tolerance, "\(scenario), \(path) path, epoch \(epoch)")
        }
        #expect(maxRelativeError(try device.evaluateLosses(), try cpu.evaluateLosses()) < tolerance)
        let (tensors, expectedTensors) = (try device.currentBank().tensors, try cpu.currentBank().tensors)
        for t in tensors.indices {
            #expect(maxRelativeError(tensors[t], expectedTensors[t], floor: 1e-2) < tolerance,
                    "\(scenario), \(path) path, tensor \(t)")
        }
        let (state, expectedState) = (try device.currentOptimizerState(), try cpu.currentOptimizerState())
        #expect(state.step == expectedState.step)
        for t in state.firstMoments.indices {
            #expect(maxRelativeError(state.firstMoments[t], expectedState.firstMoments[t], floor: 1e-3) < 100 * tolerance)
            #expect(maxRelativeError(state.secondMoments[t], expectedState.secondMoments[t], floor: 1e-5) < 100 * tolerance)
        }
        // Frozen tensors and the stopped student's parameters are exactly as they started.
        for (t, tensor) in bank.layout.tensors.enumerated() where scenario.configuration.scale(forLayer: tensor.layer) == 0 {
            #expect(tensors[t] == bank.tensors[t], "frozen tensor \(t)")
        }
        if scenario.students > 1 { #expect(try device.currentBank().student(1) == bank.student(1)) }
    }
}
