import ECCore

/// The OpenCL backend: trains a bank on a GPU (or any OpenCL device) with the kernels in
/// Kernels/, computing what `CPUBackend` computes.
///
/// The probe set, the parameters and the optimiser's moments stay in device memory for the
/// backend's lifetime; per epoch only the sample order and the learning rates go up and the
/// per-student losses come back. An epoch takes one of two paths:
/// - `.fused`: one launch of `EpochSmallKernel` per epoch, for banks with one hidden layer small
///   enough that each student fits a work-group (the toy workload), whose per-minibatch products
///   would be dominated by launch overhead;
/// - `.general`: `MinibatchPipeline`, a few launches per layer and minibatch, for everything else.
public final class OpenCLBackend<T: Real>: TrainingBackend {
    public typealias Scalar = T

    /// How epochs run; see the type's description.
    public enum EpochPath: String, Sendable {
        /// `.fused` where `EpochSmallKernel` applies, `.general` elsewhere.
        case automatic
        case general
        case fused
    }

    public let context: OpenCLContext
    public let configuration: EngineConfiguration
    public let widths: [Int]
    public let activation: Activation
    public let studentCount: Int
    /// The path epochs take: `.general` or `.fused`, never `.automatic`.
    public var path: EpochPath {
        if case .fused = runner { .fused } else { .general }
    }

    let samples: DeviceSamples<T>
    let parameters: DeviceParameters<T>
    /// The epoch's sample order; grown if an epoch's order is longer than the probe set.
    var order: OpenCLBuffer<Int32>
    let rates: OpenCLBuffer<T>
    /// Per student: the epoch's summed loss and its compensation (Kahan's; the kernels' `compensated_add`).
    let lossSums: OpenCLBuffer<T>
    /// Updates taken so far (Adam's t).
    var step: Int
    let runner: EpochRunner

    /// What runs an epoch, by path.
    enum EpochRunner {
        case fused(EpochSmallKernel<T>)
        case general(MinibatchPipeline<T>)
    }

    /// A backend on `device`, in the process's shared context for it (`OpenCLContext.shared`),
    /// taking the fused path where it applies.
    public convenience init(device: OpenCLDevice, data: TrainingData<T>, bank: StudentBank<T>,
                            optimizerState: OptimizerState<T>? = nil, configuration: EngineConfiguration) throws {
        try self.init(context: OpenCLContext.shared(on: device), data: data, bank: bank,
                      optimizerState: optimizerState, configuration: configuration)
    }

    /// A backend in `context`.
    /// - Parameters:
    ///   - path: `.automatic` chooses; `.fused` throws where the fused kernel does not apply.
    ///   - tuning: kernel sizes; by default `KernelTuning.for(context.device)`.
    /// - Throws: `ECError` for data that does not fit the bank, float64 on a device without it,
    ///   or problems too large for the kernels' 32-bit indices; `OpenCLError` from the driver,
    ///   including a failed kernel build with its log.
    public init(context: OpenCLContext, data: TrainingData<T>, bank: StudentBank<T>,
                optimizerState: OptimizerState<T>? = nil, configuration: EngineConfiguration,
                path: EpochPath = .automatic, tuning: KernelTuning? = nil) throws {
        try CPUBackend<T>.validate(data: data, bank: bank, configuration: configuration)
        let configuration = configuration.fitted(to: data.sampleCount)
        if T.precision == .float64 && !context.device.supportsFloat64 {
            throw ECError.device("\(context.device.name) does not support float64 (cl_khr_fp64): "
                                 + "run in float32 or choose another device")
        }
        let tuning = try tuning ?? KernelTuning.for(context.device)
        context.resetPeakAllocatedBytes()
        self.context = context
        self.configuration = configuration
        widths = bank.widths
        activation = bank.activation
        studentCount = bank.count
        let state = optimizerState ?? .initial(for: bank, optimizer: configuration.optimizer)
        step = state.step
        samples = try DeviceSamples(context: context, data: data)
        parameters = try DeviceParameters(context: context, bank: bank, optimizerState: state, configuration: configuration)
        order = try context.makeBuffer(Int32.self, count: data.sampleCount)
        rates = try context.makeBuffer(T.self, count: bank.count)
        lossSums = try context.makeBuffer(T.self, count: 2 * bank.count)

        let fused = path == .general ? nil
            : try EpochSmallKernel<T>.make(context: context, widths: bank.widths, skip: bank.skip != nil,
                                           activation: bank.activation, configuration: configuration, tuning: tuning)
        if let fused {
            runner = .fused(fused)
        } else if path == .fused {
            throw ECError.invalidArgument("the fused epoch kernel does not apply to students of widths \(bank.widths) "
                                          + "on \(context.device.name)")
        } else {
            runner = .general(try MinibatchPipeline(context: context, parameters: parameters, samples: samples, rates: rates,
                                                    lossSums: lossSums, configuration: configuration, tuning: tuning))
        }
    }

    /// E.g. `NVIDIA H100 80GB HBM3 (NVIDIA CUDA, GPU, 79.1 GiB, 132 CUs, fp64); OpenCL float32, fused epoch`.
    public var deviceDescription: String {
        "\(context.device.describe()); OpenCL \(T.precision.rawValue), "
            + (path == .fused ? "fused epoch" : "per-minibatch kernels")
    }

    /// The most device memory the backend's context held at once since the backend was built.
    public var peakDeviceMemoryBytes: Int? { context.peakAllocatedBytes }

    public func currentBank() throws -> StudentBank<T> {
        try parameters.bank()
    }

    public func currentOptimizerState() throws -> OptimizerState<T> {
        let moments = try parameters.moments()
        return OptimizerState(step: step, firstMoments: moments.first, secondMoments: moments.second)
    }
}
