import ECCore

/// Kernels/epoch_small.cl: a whole training epoch of a bank of small one-hidden-layer students
/// in a single launch, one work-group per student, for banks whose per-minibatch matrix products
/// would be too small to pay for their launches (see the kernel file).
public final class EpochSmallKernel<T: Real> {
    /// How a bank maps onto the kernel.
    public struct Plan: Sendable, Equatable {
        /// Work-items per student.
        public let group: Int
        /// Samples staged in local memory at a time.
        public let chunk: Int
        /// Parameters each work-item owns (keeps moments for, sums the gradient of, updates).
        public let parametersPerItem: Int
        /// Local memory per work-group.
        public let localBytes: Int
    }

    /// More owned parameters per work-item would spill the registers holding their moments.
    public static var maximumParametersPerItem: Int { 8 }

    /// How `widths` (with a skip term or not) would run, or nil where the kernel does not apply:
    /// not exactly one hidden layer, more than `maximumParametersPerItem` parameters per
    /// work-item, or too little local memory to stage 16 samples (or the whole minibatch) at once.
    public static func plan(widths: [Int], skip: Bool, batchSize: Int, device: OpenCLDevice,
                            tuning: KernelTuning) -> Plan? {
        guard widths.count == 3 else { return nil }
        let (d, h, o) = (widths[0], widths[1], widths[2])
        let group = tuning.fusedGroup
        let parameters = ParameterLayout(widths: widths, skip: skip).parametersPerStudent
        let perItem = (parameters + group - 1) / group
        guard perItem <= maximumParametersPerItem else { return nil }
        // Local memory in REALs: the parameters, per staged sample (inputs, 1), (hidden, 1),
        // hidden deltas and output deltas, and the final loss sum's scratch (epoch_small.cl's AT_*).
        let perSample = (d + 1) + (h + 1) + h + o
        let fitting = (device.localMemoryBytes / MemoryLayout<T>.stride - parameters - group) / perSample
        let chunk = min(fitting, group, batchSize)
        guard chunk >= min(16, batchSize) else { return nil }
        return Plan(group: group, chunk: chunk, parametersPerItem: perItem,
                    localBytes: (parameters + chunk * perSample + group) * MemoryLayout<T>.stride)
    }

    public let plan: Plan
    private let kernel: OpenCLKernel
    private let context: OpenCLContext
    private let optimizer: Optimizer
    /// 1/(1 − β₁ᵗ) and 1/√(1 − β₂ᵗ) for each minibatch of the epoch, rewritten per epoch.
    private var stepCorrections: OpenCLBuffer<T>

    /// The kernel for a bank of `widths`, or nil where `plan` says it does not apply or the
    /// device cannot run its work-group size with the registers the kernel needs.
    public static func make(context: OpenCLContext, widths: [Int], skip: Bool, activation: Activation,
                            configuration: EngineConfiguration, tuning: KernelTuning) throws -> EpochSmallKernel? {
        guard let plan = plan(widths: widths, skip: skip, batchSize: configuration.batchSize,
                              device: context.device, tuning: tuning) else { return nil }
        let kernel = try EpochSmallKernel(context: context, widths: widths, skip: skip, activation: activation,
                                          configuration: configuration, plan: plan)
        return try kernel.kernel.maxWorkGroupSize >= plan.group ? kernel : nil
    }

    private init(context: OpenCLContext, widths: [Int], skip: Bool, activation: Activation,
                 configuration: EngineConfiguration, plan: Plan) throws {
        self.plan = plan
        self.context = context
        optimizer = configuration.optimizer
        let defines = [
            define("INPUTS", widths[0]), define("HIDDEN", widths[1]), define("OUTPUTS", widths[2]),
            define("SKIP", skip ? 1 : 0), define("CROSS_ENTROPY", configuration.loss == .crossEntropy ? 1 : 0),
            define("ADAM", optimizer.usesMoments ? 1 : 0), define("GROUP", plan.group), define("CHUNK", plan.chunk),
            define("PARAMS_PER_ITEM", plan.parametersPerItem), activationDefine(activation),
        ]
        kernel = try context.program(files: ["activations", "reduce", "loss", "optimizer", "epoch_small"],
                                     scalar: T.self, defines: defines).kernel("epoch_small")
        stepCorrections = try context.makeBuffer(T.self, count: 2)
    }

    /// Trains every student of `parameters` for one epoch over `order[0..<count]` in minibatches
    /// of `batchSize`, with updates numbered `firstStep + 1`, `firstStep + 2`, ..., and sets
    /// `lossSums[2·student]` to the student's summed loss over the epoch (and its compensation,
    /// `lossSums[2·student + 1]`, to 0). Students at rate 0 are
    /// evaluated only, so all-zero rates evaluate the bank.
    public func run(samples: DeviceSamples<T>, order: OpenCLBuffer<Int32>, count: Int, batchSize: Int,
                    parameters: DeviceParameters<T>, rates: OpenCLBuffer<T>, firstStep: Int,
                    lossSums: OpenCLBuffer<T>) throws {
        guard count <= order.count, rates.count >= parameters.students, lossSums.count >= 2 * parameters.students else {
            throw OpenCLError.invalidRequest("epoch of \(count) samples for \(parameters.students) students: buffers too small")
        }
        let batches = (count + batchSize - 1) / batchSize
        if case .adam(let beta1, let beta2, _) = optimizer {
            if stepCorrections.count < 2 * batches {
                stepCorrections = try context.makeBuffer(T.self, count: 2 * batches)
            }
            try stepCorrections.write((0..<batches).flatMap { b in
                let corrections = AdamCorrections(beta1: beta1, beta2: beta2, step: firstStep + b + 1)
                return [T(corrections.biasCorrection1), T(corrections.correction2)]
            })
        }
        let (beta1, beta2, epsilon) = if case .adam(let b1, let b2, let e) = optimizer { (b1, b2, e) } else { (0.0, 0.0, 0.0) }
        try kernel.launch(global: [plan.group * parameters.students], local: [plan.group], arguments: [
            .buffer(samples.inputs), .buffer(samples.targets), samples.labelsArgument,
            .buffer(order), .int(count), .int(batchSize),
            .buffer(parameters.values), .buffer(parameters.firstMoments), .buffer(parameters.secondMoments),
            .buffer(parameters.layerScales), .buffer(rates), .buffer(stepCorrections),
            .real(T(beta1)), .real(T(beta2)), .real(T(epsilon)), .buffer(lossSums),
            .localMemory(bytes: plan.localBytes),
        ])
    }
}
