import ECCore
import ECEngine
import Testing
import TestSupport

/// Launches per minibatch step of the general path, counted where kernels are enqueued and seen
/// again in a profile's events, for one and three hidden layers (issue 28 counts them: 3 and 7,
/// with the layer steps of layer_step.cl), where the output layer is too wide for its step, and
/// with the layer steps turned off (`layerSteps=0`, the A/B on a card: 6 and 12, as before them).
/// Each test opens its own profiling context so that launches of tests running beside it do not count.
struct LaunchCountTests {
    /// Widths, whether there is a skip term, and the launches one step takes with them.
    static let depths: [(widths: [Int], skip: Bool, launches: Int)] = [
        ([5, 7, 3], false, 3), ([5, 7, 6, 4, 3], false, 7), ([5, 7, 3], true, 3), ([5, 7, 6, 4, 3], true, 7),
        ([5, 7, 17], false, 6), ([5, 7, 17], true, 8),
    ]

    @Test(arguments: depths.indices)
    func generalPathLaunchesPerStep(depth: Int) throws {
        let (widths, skip, expected) = Self.depths[depth]
        try checkLaunches(widths: widths, skip: skip, expected: expected, tuning: DeviceTest.tuning)
    }

    @Test(arguments: [([5, 7, 3], 6), ([5, 7, 6, 4, 3], 12)])
    func withoutLayerStepsEveryLayerTakesItsProducts(widths: [Int], expected: Int) throws {
        var tuning = try DeviceTest.tuning
        tuning.layerSteps = 0
        try checkLaunches(widths: widths, skip: false, expected: expected, tuning: tuning)
    }

    /// Trains 3 students of `widths` for an epoch of three steps and counts the launches.
    private func checkLaunches(widths: [Int], skip: Bool, expected: Int, tuning: KernelTuning) throws {
        let context = try OpenCLContext(device: DeviceTest.context.device, profiling: true)
        let (samples, batchSize) = (45, 16)   // three steps, the last one partial
        let data = try TrainingData<Float>(inputs: randomMatrix(samples, widths[0], seed: 1),
                                           targets: randomMatrix(samples, widths.last!, seed: 2))
        let bank = try StudentBank<Float>.random(widths: widths, count: 3, activation: .tanh, seed: 3, skip: skip)
        let backend = try OpenCLBackend(context: context, data: data, bank: bank,
                                        configuration: EngineConfiguration(batchSize: batchSize), path: .general,
                                        tuning: tuning)
        let order = (0..<Int32(samples)).map { $0 }
        let before = context.launchCount
        try context.startProfile()
        _ = try backend.trainEpoch(order: order, learningRates: [1e-3, 1e-3, 1e-3])
        let profile = try context.finishProfile()
        #expect(context.launchCount - before == 3 * expected)
        #expect(profile.reduce(0) { $0 + $1.launches } == 3 * expected)
        #expect(profile.allSatisfy { $0.deviceSeconds > 0 })
        #expect(context.hostEnqueueSeconds > 0)
    }

    @Test func profilingNeedsAProfilingQueue() throws {
        let context = try OpenCLContext(device: DeviceTest.context.device, profiling: false)
        #expect(throws: OpenCLError.self) { try context.startProfile() }
    }
}
