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
        /// z is the gradient of the parameters C addresses (a weight gradient): they and their
        /// moments are updated (see `ParameterUpdate`), and nothing is stored.
        case update(ParameterUpdate<T>)
    }

    /// Where each argument that changes between steps sits among gemm.cl's parameters.
    static var firstArgument: Int { 21 }
    static var correctionArgument: Int { 30 }

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
        let program = try context.program(files: ["activations", "optimizer", "gemm_tiles", "gemm"], scalar: T.self,
                                          defines: [activationDefine(activation)]
                                              + tiles.fitting(context.device, scalar: T.self).gemmDefines)
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

    /// Enqueues C_b = op(A_b)·op(B_b), through `epilogue`, for b in 0..<batch. With `gather`,
    /// the operand that runs over samples (A of the forward form, B of the weight gradient) is
    /// read in the order `gather.order[gather.first...]`.
    /// - Throws: `OpenCLError.invalidRequest` when an operand does not fit its buffer.
    public func run(_ form: GemmForm, m: Int, n: Int, k: Int, batch: Int = 1, a: DeviceMatrix<T>,
                    b: DeviceMatrix<T>, c: DeviceMatrix<T>, epilogue: Epilogue = .store,
                    gather: (order: OpenCLBuffer<Int32>, first: Int)? = nil, step: Int = 1) throws {
        if let gather {
            guard gather.first >= 0, gather.first + (form == .forward ? m : k) <= gather.order.count else {
                throw OpenCLError.invalidRequest("GEMM gather: \(form == .forward ? m : k) rows from position \(gather.first) "
                                                 + "of an order of \(gather.order.count)")
            }
        }
        let launch = try bind(form, m: m, n: n, k: k, batch: batch, a: a, b: b, c: c, epilogue: epilogue,
                              gather: gather?.order)
        try launch.set(Self.firstArgument, Int32(gather?.first ?? 0))
        if case .update(let update) = epilogue { try update.setCorrections(on: launch, at: Self.correctionArgument, step: step) }
        try launch.enqueue()
    }

    /// The product `run` enqueues, bound once to be enqueued at every step; a gathering product
    /// needs `firstArgument` set per step, an updating one its corrections (`ParameterUpdate`).
    public func bind(_ form: GemmForm, m: Int, n: Int, k: Int, batch: Int = 1, a: DeviceMatrix<T>,
                     b: DeviceMatrix<T>, c: DeviceMatrix<T>, epilogue: Epilogue = .store,
                     gather: OpenCLBuffer<Int32>? = nil) throws -> BoundLaunch {
        // A gathered operand's rows are samples of the probe set, wherever the order points.
        let gatherA = gather != nil && form == .forward, gatherB = gather != nil && form == .weightGradient
        guard gather == nil || gatherA || gatherB else {
            throw OpenCLError.invalidRequest("GEMM gather: the input-gradient form reads no samples")
        }
        try a.checkSpan(rows: gatherA ? 1 : form == .weightGradient ? k : m, columns: form == .weightGradient ? m : k,
                        batch: batch, "GEMM operand A")
        try b.checkSpan(rows: gatherB ? 1 : form == .forward ? n : k, columns: form == .forward ? k : n,
                        batch: batch, "GEMM operand B")
        try c.checkSpan(rows: m, columns: n, batch: batch, "GEMM result C")

        // Unused buffer parameters are bound to C, which is valid and never touched through them.
        var bias = DeviceVector(c.buffer), derivatives = c.buffer, flags: EpilogueFlags = []
        var update: ParameterUpdate<T>?
        switch epilogue {
        case .store: break
        case .bias(let vector): (bias, flags) = (vector, [.bias])
        case .accumulateBias(let vector): (bias, flags) = (vector, [.accumulate, .bias])
        case .biasActivation(let vector, let d): (bias, derivatives, flags) = (vector, d, [.bias, .activate])
        case .derivative(let d): (derivatives, flags) = (d, [.derivative])
        case .update(let u):
            guard form == .weightGradient, c.buffer === u.parameters.values else {
                throw OpenCLError.invalidRequest("GEMM update: only a weight gradient into the parameters' buffer updates them")
            }
            update = u
            flags = u.optimizer.usesMoments ? [.adam] : [.sgd]
            if let vector = u.bias { (bias, flags) = (vector, flags.union(.ones)) }
        }
        if flags.contains(.bias) || flags.contains(.ones) {
            try DeviceMatrix(bias.buffer, offset: bias.offset, leadingDimension: flags.contains(.ones) ? m : n,
                             batchStride: bias.batchStride)
                .checkSpan(rows: 1, columns: flags.contains(.ones) ? m : n, batch: batch, "GEMM bias")
        }
        if !flags.isDisjoint(with: [.activate, .derivative]) {
            try DeviceMatrix(derivatives, offset: c.offset, leadingDimension: c.leadingDimension, batchStride: c.batchStride)
                .checkSpan(rows: m, columns: n, batch: batch, "GEMM derivatives")
        }
        if gatherA { flags.insert(.gatherA) }
        if gatherB { flags.insert(.gatherB) }

        // The ones column is one more column of the product, whose results land in the bias.
        let columns = flags.contains(.ones) ? n + 1 : n
        let tiles = tuning.gemmTiles(m: m, n: columns, batch: batch)
        let (threads, groups) = (tiles.gemmThreads, tiles.gemmGroups(m: m, n: columns))
        let global = [groups.n * threads.n, groups.m * threads.m, max(batch, 0)]
        let updateArguments = try update?.arguments(rows: m, batch: batch)
            ?? ParameterUpdate<T>.unusedArguments(c.buffer)
        return try BoundLaunch(program(tiles).kernel(Self.kernelName(form)), global: global, local: [threads.n, threads.m, 1], arguments: [
            .int(m), .int(columns), .int(k),
            .buffer(a.buffer), .int(a.offset), .int(a.leadingDimension), .int(a.batchStride),
            .buffer(b.buffer), .int(b.offset), .int(b.leadingDimension), .int(b.batchStride),
            .buffer(c.buffer), .int(c.offset), .int(c.leadingDimension), .int(c.batchStride),
            .buffer(bias.buffer), .int(bias.offset), .int(bias.batchStride),
            .buffer(derivatives), .int32(flags.rawValue),
            gather.map { .buffer($0) } ?? .buffer(c.buffer), .int(0),
        ] + updateArguments)
    }
}

/// The bits of gemm.cl's `epilogue` argument, its EPILOGUE_*, GATHER_*, ONES_B and UPDATE_* constants.
private struct EpilogueFlags: OptionSet {
    let rawValue: Int32
    static let accumulate = EpilogueFlags(rawValue: 1)
    static let bias = EpilogueFlags(rawValue: 2)
    static let activate = EpilogueFlags(rawValue: 4)
    static let derivative = EpilogueFlags(rawValue: 8)
    static let gatherA = EpilogueFlags(rawValue: 16)
    static let gatherB = EpilogueFlags(rawValue: 32)
    static let ones = EpilogueFlags(rawValue: 64)
    static let adam = EpilogueFlags(rawValue: 128)
    static let sgd = EpilogueFlags(rawValue: 256)
}
