import ECCore
import ECEngine
import Foundation
import Testing
import TestSupport

/// The kernels besides the products against plain CPU references: loss and output gradient,
/// bias-gradient column sums, the optimiser step (against `AdamRule`), and the minibatch gather.
struct ElementwiseKernelTests {
    @Test(arguments: Precision.allCases, [LossFunction.meanSquaredError, .crossEntropy])
    func lossesAndOutputGradientsMatchTheDefinitions(precision: Precision, loss: LossFunction) throws {
        try checkLoss(precision.scalarType, loss)
    }

    @Test(arguments: Precision.allCases)
    func columnSumsMatch(precision: Precision) throws {
        try checkColumnSums(precision.scalarType)
    }

    @Test(arguments: Precision.allCases)
    func adamMatchesAdamRuleWithFrozenLayersAndStoppedStudents(precision: Precision) throws {
        try checkOptimizer(precision.scalarType, .standardAdam)
    }

    @Test func sgdSubtractsTheScaledGradient() throws {
        try checkOptimizer(Double.self, .sgd)
    }

    @Test(arguments: [LossFunction.meanSquaredError, .crossEntropy])
    func gatherCopiesTheOrderedRows(loss: LossFunction) throws {
        let context = try DeviceTest.context
        let (samples, inputs, outputs) = (23, 5, 3)
        let x: Matrix<Float> = randomMatrix(samples, inputs, seed: 4)
        let data = loss == .crossEntropy
            ? try TrainingData(inputs: x, labels: (0..<samples).map { Int32($0 * 7 % outputs) }, classes: outputs)
            : try TrainingData(inputs: x, targets: randomMatrix(samples, outputs, seed: 5))
        let source = try DeviceSamples(context: context, data: data)
        let batch = try DeviceSamples(context: context, rows: 8, like: source)
        let order: [Int32] = [22, 0, 5, 5, 17, 3, 9, 1, 12, 20]
        try GatherKernel<Float>(context: context, tuning: DeviceTest.tuning)
            .run(order: try context.makeBuffer(from: order), first: 2, rows: 7, from: source, into: batch)
        let picked = order[2..<9].map(Int.init)
        #expect(try batch.inputs.read(range: 0..<7 * inputs) == picked.flatMap { x.scalars[$0 * inputs ..< ($0 + 1) * inputs] })
        if loss == .crossEntropy {
            #expect(try batch.labels?.read(range: 0..<7) == picked.map { data.labels[$0] })
        } else {
            #expect(try batch.targets.read(range: 0..<7 * outputs)
                        == picked.flatMap { data.targets.scalars[$0 * outputs ..< ($0 + 1) * outputs] })
        }
    }

    /// Outputs of 3 students on 37 samples of width 4, sample-major; loss sums start non-zero to
    /// show that the kernel adds to them (each student's sum, then its compensation: 0).
    private func checkLoss<T: Real>(_: T.Type, _ loss: LossFunction) throws {
        let context = try DeviceTest.context
        let (rows, students, width) = (37, 3, 4)
        let outputs: [T] = DeviceTest.random(rows * students * width, seed: 31, scale: 3)
        let x: Matrix<T> = randomMatrix(rows, 2, seed: 32)
        let data = loss == .crossEntropy
            ? try TrainingData(inputs: x, labels: (0..<rows).map { Int32($0 * 5 % width) }, classes: width)
            : try TrainingData(inputs: x, targets: randomMatrix(rows, width, seed: 33))
        let sums = try context.makeBuffer(from: (0..<2 * students).map { $0 % 2 == 0 ? T(1) : T(0) })
        let deltas = try context.makeBuffer(T.self, count: outputs.count)
        try LossKernel<T>(context: context, tuning: DeviceTest.tuning)
            .run(loss, outputs: try context.makeBuffer(from: outputs), rows: rows, students: students, width: width,
                 samples: DeviceSamples(context: context, data: data), deltas: deltas, lossSums: sums)

        var expectedSums = [Double](repeating: 1, count: students)
        var expectedDeltas = [Double](repeating: 0, count: outputs.count)
        for r in 0..<rows {
            for s in 0..<students {
                let base = r * students * width + s * width
                let y = (0..<width).map { Double(outputs[base + $0]) }
                if loss == .meanSquaredError {
                    for k in 0..<width {
                        let diff = y[k] - Double(data.targets[r, k])
                        expectedSums[s] += diff * diff
                        expectedDeltas[base + k] = 2 * diff / Double(rows * width)
                    }
                } else {
                    let label = Int(data.labels[r])
                    let total = y.reduce(0) { $0 + exp($1) }
                    expectedSums[s] += log(total) - y[label]
                    for k in 0..<width { expectedDeltas[base + k] = (exp(y[k]) / total - (k == label ? 1 : 0)) / Double(rows) }
                }
            }
        }
        let tolerance = T.self == Double.self ? 1e-13 : 2e-5
        let read = try sums.read()
        let compensated = (0..<students).map { Double(read[2 * $0]) - Double(read[2 * $0 + 1]) }
        #expect(maxRelativeError(compensated, expectedSums) < tolerance)
        #expect(maxRelativeError(try deltas.read(), expectedDeltas, floor: 1e-2) < tolerance)
    }

    private func checkColumnSums<T: Real>(_: T.Type) throws {
        let context = try DeviceTest.context
        let reduce = try ReduceKernel<T>(context: context, tuning: DeviceTest.tuning)
        for (rows, columns) in [(1, 1), (7, 33), (513, 100), (64, 5)] {
            let matrix: [T] = DeviceTest.random(2 + rows * columns, seed: UInt64(rows))
            let sums = try context.makeBuffer(from: [T](repeating: -7, count: columns + 2))
            try reduce.columnSums(of: try context.makeBuffer(from: matrix), offset: 2, rows: rows, columns: columns,
                                  into: sums, at: 1)
            let expected = (0..<columns).map { c in (0..<rows).reduce(0.0) { $0 + Double(matrix[2 + $1 * columns + c]) } }
            let result = try sums.read()
            #expect(result.first == -7 && result.last == -7)
            let tolerance = DeviceTest.allowance(T.self, terms: rows, magnitude: Double(rows) * 4)
            #expect(zip(result.dropFirst().dropLast(), expected).allSatisfy { abs(Double($0) - $1) <= tolerance },
                    "\(rows) × \(columns)")
        }
    }

    /// One update of a bank with a skip term, layer scales (1, ½, 0 for the skip term) and one
    /// stopped student, from random moments and gradients, against the CPU's update rule.
    private func checkOptimizer<T: Real>(_: T.Type, _ optimizer: Optimizer) throws {
        let context = try DeviceTest.context
        let bank = try StudentBank<T>.random(widths: [3, 4, 2], count: 3, activation: .g, seed: 8, skip: true)
        let configuration = EngineConfiguration(optimizer: optimizer, layerLearningRateScales: [1, 0.5, 0])
        let sizes = bank.tensors.map(\.count)
        let moments = optimizer.usesMoments
            ? OptimizerState(step: 4, firstMoments: sizes.map { DeviceTest.random($0, seed: 41, scale: 0.1) },
                             secondMoments: sizes.map { DeviceTest.random($0, seed: 42, scale: 0.1).map { $0 * $0 } })
            : OptimizerState.initial(for: bank, optimizer: optimizer)
        let gradients: [[T]] = sizes.enumerated().map { DeviceTest.random($1, seed: 50 + UInt64($0)) }
        let rates = [1e-2, 0, 3e-3]

        let device = try DeviceParameters(context: context, bank: bank, optimizerState: moments, configuration: configuration)
        try device.gradients.write(gradients.flatMap { $0 })
        try OptimizerKernel<T>(context: context, tuning: DeviceTest.tuning)
            .run(optimizer, parameters: device, rates: try context.makeBuffer(from: rates.map { T($0) }), step: 5)

        var parameters = bank.tensors, first = moments.firstMoments, second = moments.secondMoments
        for (t, tensor) in bank.layout.tensors.enumerated() {
            let c = tensor.countPerStudent
            for s in 0..<bank.count {
                let lr = rates[s] * configuration.scale(forLayer: tensor.layer)
                guard lr != 0 else { continue }
                for j in s * c ..< (s + 1) * c {
                    if optimizer.usesMoments {
                        let rule = AdamRule(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, learningRate: lr, step: 5)
                        rule.apply(parameters: &parameters[t][j], gradients: [gradients[t][j]], first: &first[t][j],
                                   second: &second[t][j], count: 1)
                    } else {
                        parameters[t][j] -= T(lr) * gradients[t][j]
                    }
                }
            }
        }
        let tolerance = T.self == Double.self ? 1e-14 : 1e-6
        let result = try device.bank().tensors, resultMoments = try device.moments()
        for t in parameters.indices {
            #expect(maxRelativeError(result[t], parameters[t], floor: 1e-3) < tolerance, "tensor \(t)")
            if optimizer.usesMoments {
                #expect(maxRelativeError(resultMoments.first[t], first[t], floor: 1e-3) < tolerance)
                #expect(maxRelativeError(resultMoments.second[t], second[t], floor: 1e-6) < tolerance)
            }
        }
        #expect(result[4] == bank.tensors[4], "the skip term is frozen")
        for (t, tensor) in bank.layout.tensors.enumerated() {
            let stopped = tensor.countPerStudent ..< 2 * tensor.countPerStudent
            #expect(result[t][stopped] == bank.tensors[t][stopped], "student 1 is stopped")
        }
    }
}
