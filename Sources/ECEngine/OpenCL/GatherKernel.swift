import ECCore

/// Kernels/gather.cl: a minibatch's samples copied out of the probe set in the epoch's order.
public final class GatherKernel<T: Real> {
    private let program: OpenCLProgram
    private let group: Int
    /// The position of gather_batch's `first` parameter, which a bound gather sets per minibatch.
    static var firstArgument: Int { 1 }

    public init(context: OpenCLContext, tuning: KernelTuning) throws {
        group = tuning.elementwiseGroup
        program = try context.elementwiseProgram(T.self, tuning: tuning)
    }

    /// Copies samples `order[first ..< first + rows]` of `source` to rows 0..<rows of `batch`.
    public func run(order: OpenCLBuffer<Int32>, first: Int, rows: Int, from source: DeviceSamples<T>,
                    into batch: DeviceSamples<T>) throws {
        guard first >= 0, first + rows <= order.count else {
            throw OpenCLError.invalidRequest("cannot gather \(rows) samples from position \(first) of an order of \(order.count)")
        }
        let launch = try bind(order: order, rows: rows, from: source, into: batch)
        try launch.set(Self.firstArgument, Int32(first))
        try launch.enqueue()
    }

    /// The launch `run` enqueues, bound once for minibatches of `rows`; set `firstArgument` per minibatch.
    func bind(order: OpenCLBuffer<Int32>, rows: Int, from source: DeviceSamples<T>,
              into batch: DeviceSamples<T>) throws -> BoundLaunch {
        guard rows >= 0, rows <= order.count, rows <= batch.rows,
              batch.inputWidth == source.inputWidth, batch.targetWidth == source.targetWidth,
              (batch.labels == nil) == (source.labels == nil)
        else {
            throw OpenCLError.invalidRequest("cannot gather \(rows) samples of an order of \(order.count) into a batch of \(batch.rows)")
        }
        // Dimension 0 spans the wider of a sample's inputs and targets (at least 1, for the label);
        // a group covers up to 32 of those columns and as many rows as fill it.
        let width = max(source.inputWidth, source.targetWidth, 1)
        let columns = min(32, group)
        return try BoundLaunch(program.kernel("gather_batch"), global: [width, rows], local: [columns, group / columns], arguments: [
            .buffer(order), .int(0), .int(rows),
            .buffer(source.inputs), .int(source.inputWidth), .buffer(batch.inputs),
            .buffer(source.targets), .int(source.targetWidth), .buffer(batch.targets),
            source.labelsArgument, .int32(source.labels == nil ? 0 : 1), batch.labelsArgument,
        ])
    }
}
