import ECCore

/// Kernels/loss.cl: each student's loss on a minibatch, summed on the device, and the gradient
/// of the mean loss with respect to the outputs.
public final class LossKernel<T: Real> {
    public let tuning: KernelTuning
    private let program: OpenCLProgram

    public init(context: OpenCLContext, tuning: KernelTuning) throws {
        self.tuning = tuning
        program = try context.lossProgram(T.self, tuning: tuning)
    }

    /// The position of loss_and_gradient's `first` parameter, which a bound loss sets per minibatch.
    static var firstArgument: Int { 4 }

    /// Adds each student's summed loss over a minibatch of `rows` samples to its running sum
    /// `lossSums[2·student]`, compensated by `lossSums[2·student + 1]` (Kahan).
    /// - Parameters:
    ///   - outputs: [rows, students·width] sample-major, as the layers write them.
    ///   - samples: the probe set's targets (squared error) or labels (cross-entropy), of which
    ///     row r of the minibatch is sample `order[first + r]` (the caller has checked the order).
    ///   - deltas: when given, receives ∂(mean loss)/∂output in the layout of `outputs`.
    public func run(_ loss: LossFunction, outputs: OpenCLBuffer<T>, rows: Int, students: Int, width: Int,
                    samples: DeviceSamples<T>, order: OpenCLBuffer<Int32>, first: Int, deltas: OpenCLBuffer<T>?,
                    lossSums: OpenCLBuffer<T>) throws {
        guard first >= 0, first + rows <= order.count else {
            throw OpenCLError.invalidRequest("loss of \(rows) samples from position \(first) of an order of \(order.count)")
        }
        let launch = try bind(loss, outputs: outputs, rows: rows, students: students, width: width, samples: samples,
                              order: order, deltas: deltas, lossSums: lossSums)
        try launch.set(Self.firstArgument, Int32(first))
        try launch.enqueue()
    }

    /// The launch `run` enqueues, bound once for minibatches of `rows`; set `firstArgument` per minibatch.
    func bind(_ loss: LossFunction, outputs: OpenCLBuffer<T>, rows: Int, students: Int, width: Int,
              samples: DeviceSamples<T>, order: OpenCLBuffer<Int32>, deltas: OpenCLBuffer<T>?,
              lossSums: OpenCLBuffer<T>) throws -> BoundLaunch {
        guard outputs.count >= rows * students * width, lossSums.count >= 2 * students,
              (deltas?.count ?? .max) >= rows * students * width, rows <= order.count,
              loss == .crossEntropy ? samples.labels != nil : samples.targetWidth == width
        else {
            throw OpenCLError.invalidRequest("loss of \(students) students × [\(rows), \(width)]: buffers too small")
        }
        return try BoundLaunch(program.kernel("loss_and_gradient"), global: [tuning.lossGroup, students],
                               local: [tuning.lossGroup, 1], arguments: [
            .buffer(outputs), .buffer(samples.targets), samples.labelsArgument, .buffer(order), .int(0),
            .buffer(deltas ?? outputs), .buffer(lossSums), .int(rows), .int(width),
            .int32(loss == .crossEntropy ? 1 : 0), .int32(deltas == nil ? 0 : 1),
        ])
    }
}
