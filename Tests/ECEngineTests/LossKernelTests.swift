import ECCore
import ECEngine
import Foundation
import Testing
import TestSupport

/// The kernel besides the products against a plain CPU reference: loss and output gradient, on a
/// minibatch read from the samples through an order.
struct LossKernelTests {
    @Test(arguments: Precision.allCases, [LossFunction.meanSquaredError, .crossEntropy])
    func lossesAndOutputGradientsMatchTheDefinitions(precision: Precision, loss: LossFunction) throws {
        try checkLoss(precision.scalarType, loss)
    }

    /// Outputs of 3 students on 37 samples of width 4, sample-major, whose targets or labels are
    /// those of samples order[3...] of 41 (in a shuffled order); loss sums start
    /// non-zero to show that the kernel adds to them (each student's sum, then its compensation: 0).
    private func checkLoss<T: Real>(_: T.Type, _ loss: LossFunction) throws {
        let context = try DeviceTest.context
        let (rows, students, width) = (37, 3, 4)
        let outputs: [T] = DeviceTest.random(rows * students * width, seed: 31, scale: 3)
        let samples = 41, first = 3
        let order = (0..<first + rows).map { Int32($0 * 17 % samples) } + [40]
        let x: Matrix<T> = randomMatrix(samples, 2, seed: 32)
        let data = loss == .crossEntropy
            ? try TrainingData(inputs: x, labels: (0..<samples).map { Int32($0 * 5 % width) }, classes: width)
            : try TrainingData(inputs: x, targets: randomMatrix(samples, width, seed: 33))
        let sums = try context.makeBuffer(from: (0..<2 * students).map { $0 % 2 == 0 ? T(1) : T(0) })
        let deltas = try context.makeBuffer(T.self, count: outputs.count)
        try LossKernel<T>(context: context, tuning: DeviceTest.tuning)
            .run(loss, outputs: try context.makeBuffer(from: outputs), rows: rows, students: students, width: width,
                 samples: DeviceSamples(context: context, data: data), order: context.makeBuffer(from: order), first: first,
                 deltas: deltas, lossSums: sums)

        var expectedSums = [Double](repeating: 1, count: students)
        var expectedDeltas = [Double](repeating: 0, count: outputs.count)
        for r in 0..<rows {
            let sample = Int(order[first + r])
            for s in 0..<students {
                let base = r * students * width + s * width
                let y = (0..<width).map { Double(outputs[base + $0]) }
                if loss == .meanSquaredError {
                    for k in 0..<width {
                        let diff = y[k] - Double(data.targets[sample, k])
                        expectedSums[s] += diff * diff
                        expectedDeltas[base + k] = 2 * diff / Double(rows * width)
                    }
                } else {
                    let label = Int(data.labels[sample])
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
}
