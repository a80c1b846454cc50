import ECCore
import ECEngine
import Testing
import TestSupport

/// The epilogues fused into gemm.cl's products against the CPU's formulas: bias and activation
/// (value and derivative) for every activation, the skip term's accumulation, and the
/// multiplication of a propagated delta by σ′.
struct GemmEpilogueTests {
    /// z = A·Bᵀ + bias spanning about ±8, so that every activation is also met in its tails.
    @Test(arguments: Activation.allCases)
    func biasAndActivationMatchTheCPUFormulasInFloat64(activation: Activation) throws {
        try checkActivation(Double.self, activation, tolerance: 1e-13)
    }

    @Test(arguments: [Activation.g, .gelu, .tanh])
    func biasAndActivationMatchTheCPUFormulasInFloat32(activation: Activation) throws {
        try checkActivation(Float.self, activation, tolerance: 2e-6)
    }

    @Test(arguments: Precision.allCases)
    func accumulateAndDerivativeEpiloguesMatch(precision: Precision) throws {
        try checkAccumulateAndDerivative(precision.scalarType)
    }

    /// Forward products of `batch` students sharing A, each with its own weights and biases.
    private struct Problem<T: Real> {
        let m = 33, n = 7, k = 5, batch = 2
        let a: [T], b: [T], bias: [T]

        init(seed: UInt64) {
            a = DeviceTest.random(m * k, seed: seed, scale: 2)
            b = DeviceTest.random(batch * n * k, seed: seed + 1)
            bias = DeviceTest.random(batch * n, seed: seed + 2)
        }

        /// C is [m, batch·n] sample-major like the backend's activations: batch s is column block s.
        func matrices(_ context: OpenCLContext, c: OpenCLBuffer<T>) throws -> (DeviceMatrix<T>, DeviceMatrix<T>, DeviceMatrix<T>, DeviceVector<T>) {
            (DeviceMatrix(try context.makeBuffer(from: a), leadingDimension: k),
             DeviceMatrix(try context.makeBuffer(from: b), leadingDimension: k, batchStride: n * k),
             DeviceMatrix(c, leadingDimension: batch * n, batchStride: n),
             DeviceVector(try context.makeBuffer(from: bias), batchStride: n))
        }

        /// (A·B_sᵀ)[i, j] in double, at its place in C.
        func product(_ i: Int, _ s: Int, _ j: Int) -> Double {
            (0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[(s * n + j) * k + $1]) }
        }

        func forEachElement(_ body: (_ index: Int, _ product: Double, _ bias: Double) -> Void) {
            for i in 0..<m {
                for s in 0..<batch {
                    for j in 0..<n { body(i * batch * n + s * n + j, product(i, s, j), Double(bias[s * n + j])) }
                }
            }
        }
    }

    private func checkActivation<T: Real>(_: T.Type, _ activation: Activation, tolerance: Double) throws {
        let context = try DeviceTest.context
        let gemm = try GemmKernel<T>(context: context, activation: activation, tuning: DeviceTest.tuning)
        let problem = Problem<T>(seed: 11)
        let (m, n, k, batch) = (problem.m, problem.n, problem.k, problem.batch)
        let c = try context.makeBuffer(T.self, count: m * batch * n), d = try context.makeBuffer(T.self, count: c.count)
        let (a, b, cm, bias) = try problem.matrices(context, c: c)
        try gemm.run(.forward, m: m, n: n, k: k, batch: batch, a: a, b: b, c: cm,
                     epilogue: .biasActivation(bias, derivatives: d))
        let (values, derivatives) = (try c.read(), try d.read())
        var worst = 0.0
        problem.forEachElement { index, product, bias in
            let (value, derivative) = activation.valueAndDerivative(product + bias)
            worst = max(worst, abs(Double(values[index]) - value) / (1 + abs(value)),
                        abs(Double(derivatives[index]) - derivative) / (1 + abs(derivative)))
        }
        #expect(worst < tolerance, "\(activation) in \(T.self): worst error \(worst)")
    }

    private func checkAccumulateAndDerivative<T: Real>(_: T.Type) throws {
        let context = try DeviceTest.context
        let gemm = try GemmKernel<T>(context: context, activation: .g, tuning: DeviceTest.tuning)
        let problem = Problem<T>(seed: 21)
        let (m, n, k, batch) = (problem.m, problem.n, problem.k, problem.batch)
        let start: [T] = DeviceTest.random(m * batch * n, seed: 24), factors: [T] = DeviceTest.random(start.count, seed: 25)
        let tolerance = T.self == Double.self ? 1e-13 : 1e-5

        let c = try context.makeBuffer(from: start)
        let (a, b, cm, bias) = try problem.matrices(context, c: c)
        try gemm.run(.forward, m: m, n: n, k: k, batch: batch, a: a, b: b, c: cm, epilogue: .accumulateBias(bias))
        let accumulated = try c.read()
        try c.write(start)
        try gemm.run(.forward, m: m, n: n, k: k, batch: batch, a: a, b: b, c: cm,
                     epilogue: .derivative(try context.makeBuffer(from: factors)))
        let scaled = try c.read()

        var worst = (accumulate: 0.0, derivative: 0.0)
        problem.forEachElement { index, product, bias in
            let sum = Double(start[index]) + product + bias
            worst.accumulate = max(worst.accumulate, abs(Double(accumulated[index]) - sum) / (1 + abs(sum)))
            let times = product * Double(factors[index])
            worst.derivative = max(worst.derivative, abs(Double(scaled[index]) - times) / (1 + abs(times)))
        }
        #expect(worst.accumulate < tolerance && worst.derivative < tolerance, "\(T.self): \(worst)")
    }
}
