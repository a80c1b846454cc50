import ECCore

/// How a weight-gradient product of `GemmKernel` updates the parameters it is the gradient of,
/// in its epilogue (gemm.cl's UPDATE_*), instead of storing the gradient for an optimiser launch:
/// each result z[m, n] is the gradient of the parameter that C addresses at (m, n), which Adam or
/// SGD updates, with its moments at the same index of their buffers, at rate
/// `rates[student] · layerScale` (0: untouched, as a stopped student or a frozen layer).
public struct ParameterUpdate<T: Real> {
    public var parameters: DeviceParameters<T>
    public var rates: OpenCLBuffer<T>
    public var optimizer: Optimizer
    public var layerScale: Double
    /// Rows of the product per student where one product spans the bank (the first layer and
    /// the skip term, [students·width, in]); nil where each batch entry is one student.
    public var rowsPerStudent: Int?
    /// Where the bias gradients go: B gets a column of ones, whose results, Σ over samples of
    /// each row's deltas, update the bias at `bias` (in the parameters' buffer) element m.
    public var bias: DeviceVector<T>?

    public init(parameters: DeviceParameters<T>, rates: OpenCLBuffer<T>, optimizer: Optimizer, layerScale: Double,
                rowsPerStudent: Int? = nil, bias: DeviceVector<T>? = nil) {
        (self.parameters, self.rates, self.optimizer, self.layerScale) = (parameters, rates, optimizer, layerScale)
        (self.rowsPerStudent, self.bias) = (rowsPerStudent, bias)
    }

    /// gemm.cl's parameters from `M1` on, for a product of `rows` rows in `batch` matrices.
    func arguments(rows: Int, batch: Int) throws -> [OpenCLArgument] {
        let students = rowsPerStudent.map { (rows + $0 - 1) / $0 } ?? batch
        guard rowsPerStudent.map({ $0 > 0 }) ?? true else {
            throw OpenCLError.invalidRequest("GEMM update of \(rows) rows in \(rowsPerStudent ?? 0) per student")
        }
        let (moments, settings) = try optimizerArguments(students: students)
        return moments + [.int(rowsPerStudent ?? max(rows, 1))] + settings
    }

    /// The parameters every updating kernel takes (gemm.cl's and layer_step.cl's, which put the
    /// rows per student between the two in gemm.cl): the moments and rates of `students`
    /// students, then the layer's scale, Adam's settings and placeholders for the corrections.
    func optimizerArguments(students: Int) throws -> (moments: [OpenCLArgument], settings: [OpenCLArgument]) {
        guard rates.count >= students, bias.map({ $0.buffer === parameters.values }) ?? true,
              !optimizer.usesMoments || parameters.firstMoments.count == parameters.count else {
            throw OpenCLError.invalidRequest("update of \(students) students: \(rates.count) rates, "
                                             + "the bias outside the parameters, or no moments for Adam")
        }
        // SGD has no moments (one-element handles): the parameters stand in, never touched through them.
        let (first, second) = optimizer.usesMoments ? (parameters.firstMoments, parameters.secondMoments)
            : (parameters.values, parameters.values)
        let (beta1, beta2, epsilon) = if case .adam(let b1, let b2, let e) = optimizer { (b1, b2, e) } else { (0.0, 0.0, 0.0) }
        return ([.buffer(first), .buffer(second), .buffer(rates)],
                [.real(T(layerScale)), .real(T(beta1)), .real(T(beta2)), .real(T(epsilon)), .real(T(1)), .real(T(1))])
    }

    /// The same parameters for a product that updates nothing.
    static func unusedArguments(_ buffer: OpenCLBuffer<T>) -> [OpenCLArgument] {
        [.buffer(buffer), .buffer(buffer), .buffer(buffer), .int(1)] + [OpenCLArgument](repeating: .real(T(0)), count: 6)
    }

    /// Sets Adam's corrections for update number `step` (from 1) on a launch bound with this
    /// update, whose kernel takes them at arguments `at` and `at + 1`.
    func setCorrections(on launch: BoundLaunch, at first: Int, step: Int) throws {
        guard case .adam(let beta1, let beta2, _) = optimizer else { return }
        let corrections = AdamCorrections(beta1: beta1, beta2: beta2, step: step)
        try launch.set(first, real: T(corrections.biasCorrection1))
        try launch.set(first + 1, real: T(corrections.correction2))
    }
}
