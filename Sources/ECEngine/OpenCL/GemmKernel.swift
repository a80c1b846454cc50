import ECCore

/// Which operands of a `GemmKernel` product are transposed, named after the training step that
/// needs the form.
public enum GemmForm: Sendable, CaseIterable {
    /// C [M, N] = A [M, K] · B [N, K]ᵀ: activations times weights, the forward pass.
    case forward
    /// C [M, N] = A [M, K] · B [K, N]: deltas times weights, the input gradient.
    case inputGradient
    /// C [M, N] = A [K, M]ᵀ · B [K, N]: deltas times activations, the weight gradient.
    case weightGradient
}

/// The batched matrix products of Kernels/gemm.cl, with their fused epilogues: all the matrix
/// work of training, for all students at once.
///
/// Batch b of a launch computes C_b = op(A_b)·op(B_b) for `DeviceMatrix` operands, each with its
/// own offset, leading dimension and batch stride; see gemm.cl for the tiling. The program is
/// built once per precision, activation and tiling, and cached in the context.
public final class GemmKernel<T: Real> {
    /// What happens to each result z = (op(A)·op(B))[m, n] on its way to C.
    public enum Epilogue {
        /// C = z.
        case store
        /// C = z + bias[n]: an output layer.
        case bias(DeviceVector<T>)
        /// C = C + z + bias[n]: the skip term added to an output layer's product.
        case accumulateBias(DeviceVector<T>)
        /// C = σ(z + bias[n]) and D = σ′(z + bias[n]), D addressed as C: a hidden layer.
        case biasActivation(DeviceVector<T>, derivatives: OpenCLBuffer<T>)
        /// C = z · D[m, n], D addressed as C: a delta propagated through σ′.
        case derivative(OpenCLBuffer<T>)
    }

    public let tuning: KernelTuning
    private let context: OpenCLContext
    private let activation: Activation
    /// The programs per tiling: `tuning`'s, and the halved ones that small products take (see
    /// `KernelTuning.fillGroups`), each built the first time a product needs it.
    private var programs: [KernelTuning: OpenCLProgram] = [:]

    /// Builds (or takes from the context's cache) the products for `activation`, which only the
    /// `.biasActivation` epilogue uses.
    public init(context: OpenCLContext, activation: Activation, tuning: KernelTuning) throws {
        (self.context, self.activation, self.tuning) = (context, activation, tuning)
        _ = try program(tuning)
    }

    private func program(_ tiles: KernelTuning) throws -> OpenCLProgram {
        if let built = programs[tiles] { return built }
        let program = try context.program(files: ["activations", "gemm"], scalar: T.self,
                                          defines: [activationDefine(activation)] + tiles.gemmDefines)
        programs[tiles] = program
        return program
    }

    private static func kernelName(_ form: GemmForm) -> String {
        switch form {
        case .forward: "gemm_nt"
        case .inputGradient: "gemm_nn"
        case .weightGradient: "gemm_tn"
        }
    }

    /// Enqueues C_b = op(A_b)·op(B_b), through `epilogue`, for b in 0..<batch.
    /// - Throws: `OpenCLError.invalidRequest` when an operand does not fit its buffer.
    public func run(_ form: GemmForm, m: Int, n: Int, k: Int, batch: Int = 1, a: DeviceMatrix<T>,
                    b: DeviceMatrix<T>, c: DeviceMatrix<T>, epilogue: Epilogue = .store) throws {
        try bind(form, m: m, n: n, k: k, batch: batch, a: a, b: b, c: c, epilogue: epilogue).enqueue()
    }

    /// The product `run` enqueues, bound once to be enqueued at every step.
    public func bind(_ form: GemmForm, m: Int, n: Int, k: Int, batch: Int = 1, a: DeviceMatrix<T>,
                     b: DeviceMatrix<T>, c: DeviceMatrix<T>, epilogue: Epilogue = .store) throws -> BoundLaunch {
        try a.checkSpan(rows: form == .weightGradient ? k : m, columns: form == .weightGradient ? m : k,
                        batch: batch, "GEMM operand A")
        try b.checkSpan(rows: form == .forward ? n : k, columns: form == .forward ? k : n, batch: batch, "GEMM operand B")
        try c.checkSpan(rows: m, columns: n, batch: batch, "GEMM result C")

        // Unused buffer parameters are bound to C, which is valid and never touched through them.
        var bias = DeviceVector(c.buffer), derivatives = c.buffer, flags: EpilogueFlags = []
        switch epilogue {
        case .store: break
        case .bias(let vector): (bias, flags) = (vector, [.bias])
        case .accumulateBias(let vector): (bias, flags) = (vector, [.accumulate, .bias])
        case .biasActivation(let vector, let d): (bias, derivatives, flags) = (vector, d, [.bias, .activate])
        case .derivative(let d): (derivatives, flags) = (d, [.derivative])
        }
        if flags.contains(.bias) {
            try DeviceMatrix(bias.buffer, offset: bias.offset, leadingDimension: n, batchStride: bias.batchStride)
                .checkSpan(rows: 1, columns: n, batch: batch, "GEMM bias")
        }
        if !flags.isDisjoint(with: [.activate, .derivative]) {
            try DeviceMatrix(derivatives, offset: c.offset, leadingDimension: c.leadingDimension, batchStride: c.batchStride)
                .checkSpan(rows: m, columns: n, batch: batch, "GEMM derivatives")
        }

        let tiles = tuning.gemmTiles(m: m, n: n, batch: batch)
        let (threads, groups) = (tiles.gemmThreads, tiles.gemmGroups(m: m, n: n))
        let global = [groups.n * threads.n, groups.m * threads.m, max(batch, 0)]
        return try BoundLaunch(program(tiles).kernel(Self.kernelName(form)), global: global, local: [threads.n, threads.m, 1], arguments: [
            .int(m), .int(n), .int(k),
            .buffer(a.buffer), .int(a.offset), .int(a.leadingDimension), .int(a.batchStride),
            .buffer(b.buffer), .int(b.offset), .int(b.leadingDimension), .int(b.batchStride),
            .buffer(c.buffer), .int(c.offset), .int(c.leadingDimension), .int(c.batchStride),
            .buffer(bias.buffer), .int(bias.offset), .int(bias.batchStride),
            .buffer(derivatives), .int32(flags.rawValue),
        ])
    }
}

/// The bits of gemm.cl's `epilogue` argument, its EPILOGUE_* constants.
private struct EpilogueFlags: OptionSet {
    let rawValue: Int32
    static let accumulate = EpilogueFlags(rawValue: 1)
    static let bias = EpilogueFlags(rawValue: 2)
    static let activate = EpilogueFlags(rawValue: 4)
    static let derivative = EpilogueFlags(rawValue: 8)
}
