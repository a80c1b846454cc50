import ECCore
import Foundation

/// Kernels/optimizer.cl: one Adam or SGD step over every parameter of every student in a single
/// launch, each student at its own learning rate times its layer's scale (0: left untouched).
public final class OptimizerKernel<T: Real> {
    private let program: OpenCLProgram
    private let group: Int

    public init(context: OpenCLContext, tuning: KernelTuning) throws {
        group = tuning.elementwiseGroup
        program = try context.elementwiseProgram(T.self, tuning: tuning)
    }

    /// Applies `parameters.gradients` to `parameters.values` with `optimizer`, as update number
    /// `step` (counting from 1, Adam's t), at `rates[student]` per student.
    public func run(_ optimizer: Optimizer, parameters: DeviceParameters<T>, rates: OpenCLBuffer<T>, step: Int) throws {
        try bind(optimizer, parameters: parameters, rates: rates).enqueue(step: step)
    }

    /// The launch `run` enqueues, bound once; only the step changes between enqueues.
    func bind(_ optimizer: Optimizer, parameters: DeviceParameters<T>, rates: OpenCLBuffer<T>) throws -> OptimizerLaunch<T> {
        guard rates.count >= parameters.students else {
            throw OpenCLError.invalidRequest("\(rates.count) learning rates for \(parameters.students) students")
        }
        let tables: [OpenCLArgument] = [
            .buffer(parameters.tensorStarts), .buffer(parameters.tensorSizes), .buffer(parameters.layerScales),
            .int(parameters.layout.tensors.count), .buffer(rates),
        ]
        switch optimizer {
        case .sgd:
            return OptimizerLaunch(launch: try BoundLaunch(program.kernel("sgd_update"), global: [parameters.count], local: [group], arguments: [
                .buffer(parameters.values), .buffer(parameters.gradients), .int(parameters.count),
            ] + tables), betas: nil)
        case .adam(let beta1, let beta2, let epsilon):
            guard parameters.firstMoments.count == parameters.count else {
                throw OpenCLError.invalidRequest("Adam needs moments, and these parameters were set up for SGD")
            }
            return OptimizerLaunch(launch: try BoundLaunch(program.kernel("adam_update"), global: [parameters.count], local: [group], arguments: [
                .buffer(parameters.values), .buffer(parameters.gradients), .buffer(parameters.firstMoments),
                .buffer(parameters.secondMoments), .int(parameters.count),
            ] + tables + [.real(T(beta1)), .real(T(beta2)), .real(T(epsilon)), .real(T(1)), .real(T(1))]),
                                   betas: (beta1, beta2))
        }
    }
}

/// A bound optimiser launch: Adam's step-dependent corrections are its last two arguments,
/// set per step (SGD has none).
struct OptimizerLaunch<T: Real> {
    let launch: BoundLaunch
    let betas: (Double, Double)?

    func enqueue(step: Int) throws {
        if let (beta1, beta2) = betas {
            let corrections = AdamCorrections(beta1: beta1, beta2: beta2, step: step)
            try launch.set(13, real: T(corrections.biasCorrection1))
            try launch.set(14, real: T(corrections.correction2))
        }
        try launch.enqueue()
    }
}

/// The step-dependent factors of Adam, computed in double as `AdamRule` computes them and only
/// then rounded to the kernels' precision: 1/(1 − β₁ᵗ), the step size per unit learning rate, and
/// 1/√(1 − β₂ᵗ).
struct AdamCorrections {
    let biasCorrection1: Double
    let correction2: Double

    init(beta1: Double, beta2: Double, step: Int) {
        biasCorrection1 = 1 / (1 - pow(beta1, Double(step)))
        correction2 = 1 / (1 - pow(beta2, Double(step))).squareRoot()
    }
}
