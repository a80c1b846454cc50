import ECCore
import ECEngine
import Testing
import TestSupport

/// The weight-gradient products that update the parameters in their epilogue (gemm.cl's UPDATE_*,
/// ONES_B, GATHER_B) against a reference in double: the gradient by triple loop, the bias gradient
/// as column sums, then `AdamRule` or plain SGD per student, with a layer scale and a stopped
/// student; every other parameter and moment must be exactly as it was.
struct GemmUpdateTests {
    static let (inputs, hidden, outputs, students, samples) = (7, 5, 2, 3, 20)
    static let rates = [1e-2, 0, 3e-3]

    /// The first layer, one product for the whole bank ([students·hidden, inputs], gathered
    /// inputs), and the second, batched over students; odd sizes, not tile multiples.
    @Test(arguments: Precision.allCases, [Optimizer.standardAdam, .sgd])
    func updatesMatchTheRuleOnTheGradient(precision: Precision, optimizer: Optimizer) throws {
        try check(precision.scalarType, optimizer, layer: 0)
        try check(precision.scalarType, optimizer, layer: 1)
    }

    private func check<T: Real>(_: T.Type, _ optimizer: Optimizer, layer: Int) throws {
        let context = try DeviceTest.context
        let (d, h, o, n, rows, first) = (Self.inputs, Self.hidden, Self.outputs, Self.students, 9, 2)
        let bank = try StudentBank<T>.random(widths: [d, h, o], count: n, activation: .g, seed: 8)
        let sizes = bank.tensors.map(\.count)
        let state = optimizer.usesMoments
            ? OptimizerState(step: 4, firstMoments: sizes.map { DeviceTest.random($0, seed: 41, scale: 0.1) },
                             secondMoments: sizes.map { DeviceTest.random($0, seed: 42, scale: 0.1).map { $0 * $0 } })
            : OptimizerState.initial(for: bank, optimizer: optimizer)
        let configuration = EngineConfiguration(optimizer: optimizer)
        let parameters = try DeviceParameters(context: context, bank: bank, optimizerState: state, configuration: configuration)
        let rates = try context.makeBuffer(from: Self.rates.map { T($0) })
        let scale = 0.5
        // Layer 0: deltas [rows, n·h] against inputs gathered from [samples, d]; layer 1: deltas
        // [rows, n·o] against activations [rows, n·h], per student.
        let (m, k, columns) = layer == 0 ? (h, d, n * h) : (o, h, n * o)
        let deltas: [T] = DeviceTest.random(rows * columns, seed: 11)
        let sources: [T] = layer == 0 ? DeviceTest.random(Self.samples * d, seed: 12) : DeviceTest.random(rows * n * h, seed: 13)
        let order = (0..<first + rows).map { Int32(($0 * 7 + 3) % Self.samples) }
        let (weight, bias) = (parameters.offset(ofTensor: 2 * layer), parameters.offset(ofTensor: 2 * layer + 1))
        let update = ParameterUpdate(parameters: parameters, rates: rates, optimizer: optimizer, layerScale: scale,
                                     rowsPerStudent: layer == 0 ? h : nil,
                                     bias: DeviceVector(parameters.values, offset: bias, batchStride: layer == 0 ? 0 : m))
        let gemm = try GemmKernel<T>(context: context, activation: .identity, tuning: DeviceTest.tuning)
        let (a, b) = (try context.makeBuffer(from: deltas), try context.makeBuffer(from: sources))
        if layer == 0 {
            try gemm.run(.weightGradient, m: n * h, n: d, k: rows, a: DeviceMatrix(a, leadingDimension: n * h),
                         b: DeviceMatrix(b, leadingDimension: d), c: DeviceMatrix(parameters.values, offset: weight, leadingDimension: d),
                         epilogue: .update(update), gather: (try context.makeBuffer(from: order), first), step: 5)
        } else {
            try gemm.run(.weightGradient, m: o, n: h, k: rows, batch: n,
                         a: DeviceMatrix(a, leadingDimension: n * o, batchStride: o),
                         b: DeviceMatrix(b, leadingDimension: n * h, batchStride: h),
                         c: DeviceMatrix(parameters.values, offset: weight, leadingDimension: h, batchStride: o * h),
                         epilogue: .update(update), step: 5)
        }

        // The reference: per student s, row j of its layer and column i (i = k: the bias).
        var expected = bank.tensors, first1 = state.firstMoments, second1 = state.secondMoments
        for s in 0..<n {
            let lr = Self.rates[s] * scale
            guard lr != 0 else { continue }
            for j in 0..<m {
                for i in 0...k {
                    var gradient = 0.0
                    for r in 0..<rows {
                        let delta = Double(deltas[r * columns + s * m + j])
                        let x = i == k ? 1 : layer == 0 ? Double(sources[Int(order[first + r]) * d + i])
                            : Double(sources[r * n * h + s * h + i])
                        gradient += delta * x
                    }
                    let (t, e) = i == k ? (2 * layer + 1, s * m + j) : (2 * layer, (s * m + j) * k + i)
                    if optimizer.usesMoments {
                        AdamRule(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, learningRate: lr, step: 5)
                            .apply(parameters: &expected[t][e], gradients: [T(gradient)], first: &first1[t][e],
                                   second: &second1[t][e], count: 1)
                    } else {
                        expected[t][e] -= T(lr) * T(gradient)
                    }
                }
            }
        }
        let tolerance = T.self == Double.self ? 1e-12 : 2e-5
        let result = try parameters.bank().tensors, moments = try parameters.moments()
        for t in expected.indices {
            let touched = t / 2 == layer
            #expect(touched ? maxRelativeError(result[t], expected[t], floor: 1e-3) < tolerance : result[t] == expected[t],
                    "\(T.self) \(optimizer) layer \(layer) tensor \(t)")
            if optimizer.usesMoments {
                #expect(touched ? maxRelativeError(moments.first[t], first1[t], floor: 1e-3) < tolerance
                        : moments.first[t] == first1[t])
                #expect(touched ? maxRelativeError(moments.second[t], second1[t], floor: 1e-6) < tolerance
                        : moments.second[t] == second1[t])
            }
            let stopped = bank.layout.tensors[t].countPerStudent ..< 2 * bank.layout.tensors[t].countPerStudent
            #expect(result[t][stopped] == bank.tensors[t][stopped], "student 1 is stopped")
        }
    }
}
