import ECCore

/// Kernels/loss.cl: each student's loss on a minibatch, summed on the device, and the gradient
/// of the mean loss with respect to the outputs.
public final class LossKernel<T: Real> {
    public let tuning: KernelTuning
    private let program: OpenCLProgram

    public init(context: OpenCLContext, tuning: KernelTuning) throws {
        self.tuning = tuning
        program = try context.elementwiseProgram(T.self, tuning: tuning)
    }

    /// Adds each student's summed loss over the first `rows` samples to its running sum
    /// `lossSums[2·student]`, compensated by `lossSums[2·student + 1]` (Kahan).
    /// - Parameters:
    ///   - outputs: [rows, students·width] sample-major, as the layers write them.
    ///   - samples: the minibatch's targets (squared error) or labels (cross-entropy).
    ///   - deltas: when given, receives ∂(mean loss)/∂output in the layout of `outputs`.
    public func run(_ loss: LossFunction, outputs: OpenCLBuffer<T>, rows: Int, students: Int, width: Int,
                    samples: DeviceSamples<T>, deltas: OpenCLBuffer<T>?, lossSums: OpenCLBuffer<T>) throws {
        try bind(loss, outputs: outputs, rows: rows, students: students, width: width, samples: samples,
                 deltas: deltas, lossSums: lossSums).enqueue()
    }

    /// The launch `run` enqueues, bound once.
    func bind(_ loss: LossFunction, outputs: OpenCLBuffer<T>, rows: Int, students: Int, width: Int,
              samples: DeviceSamples<T>, deltas: OpenCLBuffer<T>?, lossSums: OpenCLBuffer<T>) throws -> BoundLaunch {
        guard outputs.count >= rows * students * width, lossSums.count >= 2 * students,
              (deltas?.count ?? .max) >= rows * students * width,
              loss == .crossEntropy ? (samples.labels?.count ?? 0) >= rows : samples.targets.count >= rows * width
        else {
            throw OpenCLError.invalidRequest("loss of \(students) students × [\(rows), \(width)]: buffers too small")
        }
        return try BoundLaunch(program.kernel("loss_and_gradient"), global: [tuning.lossGroup, students],
                               local: [tuning.lossGroup, 1], arguments: [
            .buffer(outputs), .buffer(samples.targets), samples.labelsArgument, .buffer(deltas ?? outputs),
            .buffer(lossSums), .int(rows), .int(width), .int32(loss == .crossEntropy ? 1 : 0), .int32(deltas == nil ? 0 : 1),
        ])
    }
}
