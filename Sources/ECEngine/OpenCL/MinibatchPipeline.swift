import ECCore

/// The OpenCL backend's general path: one minibatch at a time, for any depth and width, as a
/// handful of launches per layer (gather; per layer a product with bias and activation fused in;
/// loss and output gradient; per layer weight-gradient and input-gradient products and a bias
/// sum; one optimiser launch). Every launch is bound once per minibatch size (`StepLaunches`),
/// so that a step sets two scalars and enqueues.
///
/// Activations are stored sample-major, [B, students·width], as the CPU backend stores them:
/// layer l of student s is the block at column s·width. The first layer of all students and the
/// skip term are then single products with N = students·width, which fill GPU tiles even where a
/// student's layer is narrower than a tile; deeper layers are batched over students.
final class MinibatchPipeline<T: Real> {
    let configuration: EngineConfiguration
    let parameters: DeviceParameters<T>
    let widths: [Int]
    let students: Int
    let gemm: GemmKernel<T>
    let loss: LossKernel<T>
    let reduce: ReduceKernel<T>
    let optimizer: OptimizerKernel<T>
    let gather: GatherKernel<T>
    let samples: DeviceSamples<T>
    let batch: DeviceSamples<T>
    let rates: OpenCLBuffer<T>
    let lossSums: OpenCLBuffer<T>
    /// Per layer: post-activation values (hidden layers) or outputs (last), [B, students·width].
    let values: [OpenCLBuffer<T>]
    /// Per hidden layer: σ′ at the pre-activation, laid out as `values`.
    let derivatives: [OpenCLBuffer<T>]
    /// Per layer: ∂loss/∂pre-activation, laid out as `values`.
    let deltas: [OpenCLBuffer<T>]

    /// The launches for full minibatches and for the epoch's last, shorter one, bound to
    /// `boundOrder` (the backend grows its order buffer for a longer order, which unbinds them).
    private var full: StepLaunches?
    private var last: StepLaunches?
    private var boundOrder: OpenCLBuffer<Int32>?

    /// One minibatch step's launches for minibatches of `rows` samples.
    private struct StepLaunches {
        let rows: Int
        let gather: BoundLaunch
        let forward: [BoundLaunch]
        /// The loss alone, and the loss with the output gradient.
        let evaluation: BoundLaunch
        let loss: BoundLaunch
        let backward: [BoundLaunch]
        let update: OptimizerLaunch<T>
    }

    init(context: OpenCLContext, parameters: DeviceParameters<T>, samples: DeviceSamples<T>, rates: OpenCLBuffer<T>,
         lossSums: OpenCLBuffer<T>, configuration: EngineConfiguration, tuning: KernelTuning) throws {
        self.configuration = configuration
        self.parameters = parameters
        self.samples = samples
        self.rates = rates
        self.lossSums = lossSums
        widths = parameters.widths
        students = parameters.students
        gemm = try GemmKernel(context: context, activation: parameters.activation, tuning: tuning)
        loss = try LossKernel(context: context, tuning: tuning)
        reduce = try ReduceKernel(context: context, tuning: tuning)
        optimizer = try OptimizerKernel(context: context, tuning: tuning)
        gather = try GatherKernel(context: context, tuning: tuning)
        let rows = configuration.batchSize, layers = widths.count - 1
        batch = try DeviceSamples(context: context, rows: rows, like: samples)
        let activationCounts = widths.dropFirst().map { rows * parameters.students * $0 }
        try checkIndexable(activationCounts.max() ?? 0, "a layer's activations for a minibatch")
        values = try activationCounts.map { try context.makeBuffer(T.self, count: $0) }
        derivatives = try activationCounts.prefix(layers - 1).map { try context.makeBuffer(T.self, count: $0) }
        deltas = try activationCounts.map { try context.makeBuffer(T.self, count: $0) }
    }

    private var layerCount: Int { widths.count - 1 }

    /// Runs minibatch `order[first ..< first + rows]` of the samples: forward pass and loss
    /// (added to `lossSums`), and, when `step` is given, backward pass and update number `step`.
    func run(order: OpenCLBuffer<Int32>, first: Int, rows: Int, step: Int?) throws {
        guard first >= 0, rows > 0, first + rows <= order.count, rows <= configuration.batchSize else {
            throw OpenCLError.invalidRequest("minibatch of \(rows) at \(first) in an order of \(order.count)")
        }
        if order !== boundOrder { (full, last, boundOrder) = (nil, nil, order) }
        let launches: StepLaunches
        if rows == configuration.batchSize {
            if full == nil { full = try bind(rows: rows, order: order) }
            launches = full!
        } else {
            if last?.rows != rows { last = try bind(rows: rows, order: order) }
            launches = last!
        }
        try launches.gather.set(GatherKernel<T>.firstArgument, Int32(first))
        try launches.gather.enqueue()
        for launch in launches.forward { try launch.enqueue() }
        guard let step else { return try launches.evaluation.enqueue() }
        try launches.loss.enqueue()
        for launch in launches.backward { try launch.enqueue() }
        try launches.update.enqueue(step: step)
    }

    private func bind(rows: Int, order: OpenCLBuffer<Int32>) throws -> StepLaunches {
        let output = values[layerCount - 1], width = widths[layerCount]
        return StepLaunches(
            rows: rows, gather: try gather.bind(order: order, rows: rows, from: samples, into: batch),
            forward: try forward(rows: rows),
            evaluation: try loss.bind(configuration.loss, outputs: output, rows: rows, students: students, width: width,
                                      samples: batch, deltas: nil, lossSums: lossSums),
            loss: try loss.bind(configuration.loss, outputs: output, rows: rows, students: students, width: width,
                                samples: batch, deltas: deltas[layerCount - 1], lossSums: lossSums),
            backward: try backward(rows: rows),
            update: try optimizer.bind(configuration.optimizer, parameters: parameters, rates: rates))
    }

    private func forward(rows: Int) throws -> [BoundLaunch] {
        var launches: [BoundLaunch] = []
        let n = students, p = parameters.values
        let skip = parameters.skipOffset
        for l in 0..<layerCount {
            let (inWidth, outWidth) = (widths[l], widths[l + 1])
            let bias = DeviceVector(p, offset: parameters.biasOffset(l), batchStride: l == 0 ? 0 : outWidth)
            let epilogue: GemmKernel<T>.Epilogue =
                l < layerCount - 1 ? .biasActivation(bias, derivatives: derivatives[l])
                : skip == nil ? .bias(bias) : .store   // with a skip term the bias comes with it, below
            if l == 0 {
                // X [B, d] · W₀ᵀ with W₀ all students' [n·h, d] rows: one product for the bank.
                launches.append(try gemm.bind(.forward, m: rows, n: n * outWidth, k: inWidth,
                                              a: DeviceMatrix(batch.inputs, leadingDimension: inWidth),
                                              b: DeviceMatrix(p, offset: parameters.weightOffset(0), leadingDimension: inWidth),
                                              c: DeviceMatrix(values[0], leadingDimension: n * outWidth), epilogue: epilogue))
            } else {
                launches.append(try gemm.bind(.forward, m: rows, n: outWidth, k: inWidth, batch: n,
                                              a: DeviceMatrix(values[l - 1], leadingDimension: n * inWidth, batchStride: inWidth),
                                              b: DeviceMatrix(p, offset: parameters.weightOffset(l), leadingDimension: inWidth,
                                                              batchStride: outWidth * inWidth),
                                              c: DeviceMatrix(values[l], leadingDimension: n * outWidth, batchStride: outWidth),
                                              epilogue: epilogue))
            }
        }
        if let skip {
            // outputs += X · Φᵀ + b for all students at once, as the CPU backend adds it.
            let o = widths[layerCount], d = widths[0]
            launches.append(try gemm.bind(.forward, m: rows, n: n * o, k: d,
                                          a: DeviceMatrix(batch.inputs, leadingDimension: d),
                                          b: DeviceMatrix(p, offset: skip, leadingDimension: d),
                                          c: DeviceMatrix(values[layerCount - 1], leadingDimension: n * o),
                                          epilogue: .accumulateBias(DeviceVector(p, offset: parameters.biasOffset(layerCount - 1)))))
        }
        return launches
    }

    /// Gradients of every trainable tensor, propagating down to the lowest trainable layer only.
    private func backward(rows: Int) throws -> [BoundLaunch] {
        let n = students, p = parameters.values, g = parameters.gradients
        let trainable = (0...layerCount).map { configuration.scale(forLayer: $0) != 0 }
        guard let lowest = trainable.firstIndex(of: true) else { return [] }
        var launches: [BoundLaunch] = []
        if let skip = parameters.skipOffset, trainable[layerCount] {
            let o = widths[layerCount], d = widths[0]
            launches.append(try gemm.bind(.weightGradient, m: n * o, n: d, k: rows,
                                          a: DeviceMatrix(deltas[layerCount - 1], leadingDimension: n * o),
                                          b: DeviceMatrix(batch.inputs, leadingDimension: d),
                                          c: DeviceMatrix(g, offset: skip, leadingDimension: d)))
        }
        for l in stride(from: layerCount - 1, through: min(lowest, layerCount - 1), by: -1) {
            let (inWidth, outWidth) = (widths[l], widths[l + 1])
            if trainable[l] {
                if l == 0 {
                    launches.append(try gemm.bind(.weightGradient, m: n * outWidth, n: inWidth, k: rows,
                                                  a: DeviceMatrix(deltas[0], leadingDimension: n * outWidth),
                                                  b: DeviceMatrix(batch.inputs, leadingDimension: inWidth),
                                                  c: DeviceMatrix(g, offset: parameters.weightOffset(0), leadingDimension: inWidth)))
                } else {
                    launches.append(try gemm.bind(.weightGradient, m: outWidth, n: inWidth, k: rows, batch: n,
                                                  a: DeviceMatrix(deltas[l], leadingDimension: n * outWidth, batchStride: outWidth),
                                                  b: DeviceMatrix(values[l - 1], leadingDimension: n * inWidth, batchStride: inWidth),
                                                  c: DeviceMatrix(g, offset: parameters.weightOffset(l), leadingDimension: inWidth,
                                                                  batchStride: outWidth * inWidth)))
                }
                launches.append(try reduce.bindColumnSums(of: deltas[l], rows: rows, columns: n * outWidth, into: g, at: parameters.biasOffset(l)))
            }
            if l > lowest {
                // Δ_{l−1} = (Δ_l · W_l) ⊙ σ′ per student.
                launches.append(try gemm.bind(.inputGradient, m: rows, n: inWidth, k: outWidth, batch: n,
                                              a: DeviceMatrix(deltas[l], leadingDimension: n * outWidth, batchStride: outWidth),
                                              b: DeviceMatrix(p, offset: parameters.weightOffset(l), leadingDimension: inWidth,
                                                              batchStride: outWidth * inWidth),
                                              c: DeviceMatrix(deltas[l - 1], leadingDimension: n * inWidth, batchStride: inWidth),
                                              epilogue: .derivative(derivatives[l - 1])))
            }
        }
        return launches
    }
}
