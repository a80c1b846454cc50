import ECCore

/// The OpenCL backend's general path: one minibatch at a time, for any depth and width. Per layer
/// a forward product with bias and activation fused in; the output layer, when at most 16 wide,
/// as one launch (`LayerStepKernel`: forward product, loss, output gradient, the delta below and
/// its update, and the skip term's product and update); each hidden layer above the first, when
/// small, one launch for the delta below and its update; the first layer one weight-gradient
/// product that updates it in its epilogue (the bias gradient from a column of ones, the
/// optimiser step on each result). So a step is 3 launches for one hidden layer, 7 for three,
/// with a skip term or without. A wider output layer takes a forward product, the loss kernel,
/// and like a larger hidden layer an input-gradient product (the delta below, through σ′) and a
/// weight-gradient product, and a skip term 2 more products. The minibatch is read from the
/// probe set through the epoch's order by the launches that need it, so nothing is copied. Every
/// launch is bound once per minibatch size (`StepLaunches`): a step sets the minibatch's position
/// and Adam's corrections, and enqueues.
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
    let layerStep: LayerStepKernel<T>
    let samples: DeviceSamples<T>
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
        let forward: [BoundLaunch]
        /// The loss alone, and the loss with the output gradient (each with the output layer's
        /// product, and the latter with its backward step, where the output layer's step does them).
        let evaluation: BoundLaunch
        let loss: BoundLaunch
        let backward: [BoundLaunch]
        /// The launches that read the probe set through the order, and where their `first` is.
        let gathering: [(launch: BoundLaunch, argument: Int)]
        /// The launches that update parameters, which take Adam's corrections per step from `argument`.
        let updating: [(launch: BoundLaunch, update: ParameterUpdate<T>, argument: Int)]
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
        layerStep = try LayerStepKernel(context: context, tuning: tuning)
        let rows = configuration.batchSize, layers = widths.count - 1
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
        for (launch, argument) in launches.gathering { try launch.set(argument, Int32(first)) }
        for launch in launches.forward { try launch.enqueue() }
        guard let step else { return try launches.evaluation.enqueue() }
        for (launch, update, argument) in launches.updating { try update.setCorrections(on: launch, at: argument, step: step) }
        try launches.loss.enqueue()
        for launch in launches.backward { try launch.enqueue() }
    }

    private var fusesOutputLayer: Bool {
        gemm.tuning.layerSteps == 1 && LayerStepKernel<T>.fitsOutputLayer(width: widths[layerCount])
    }

    private func fusesHiddenLayer(_ l: Int) -> Bool {
        gemm.tuning.layerSteps == 1 && l > 0 && l < layerCount - 1
            && LayerStepKernel<T>.fitsHiddenLayer(inputWidth: widths[l], width: widths[l + 1])
    }

    /// The lowest layer that trains (`layerCount`: only the skip term), below which no delta is needed.
    private var lowestTrainable: Int? { (0...layerCount).first { configuration.scale(forLayer: $0) != 0 } }

    private func bind(rows: Int, order: OpenCLBuffer<Int32>) throws -> StepLaunches {
        let forward = try forward(rows: rows, order: order)
        let (evaluation, loss) = fusesOutputLayer
            ? (try outputLayerStep(rows: rows, order: order, train: false), try outputLayerStep(rows: rows, order: order, train: true))
            : (try lossOnly(rows: rows, order: order, deltas: nil), try lossOnly(rows: rows, order: order, deltas: deltas[layerCount - 1]))
        let backward = try backward(rows: rows, order: order)
        return StepLaunches(
            rows: rows, forward: forward.map(\.launch), evaluation: evaluation.launch, loss: loss.launch,
            backward: backward.map(\.launch),
            gathering: (forward + [evaluation, loss] + backward).filter(\.gathers).map { ($0.launch, $0.firstArgument) },
            updating: ([loss] + backward).compactMap { step in step.update.map { (step.launch, $0, step.correctionArgument) } })
    }

    /// A bound launch, whether it reads the minibatch through the order (at `firstArgument`), and
    /// what it updates (with Adam's corrections from `correctionArgument`).
    private struct Product {
        let launch: BoundLaunch
        var gathers = false
        var firstArgument = GemmKernel<T>.firstArgument
        var update: ParameterUpdate<T>?
        var correctionArgument = GemmKernel<T>.correctionArgument
    }

    private func parameterUpdate(layer: Int, rowsPerStudent: Int? = nil, bias: DeviceVector<T>? = nil) -> ParameterUpdate<T> {
        ParameterUpdate(parameters: parameters, rates: rates, optimizer: configuration.optimizer,
                        layerScale: configuration.scale(forLayer: layer), rowsPerStudent: rowsPerStudent, bias: bias)
    }

    /// The loss kernel on the output layer's product, with the output gradient into `deltas` when given.
    private func lossOnly(rows: Int, order: OpenCLBuffer<Int32>, deltas: OpenCLBuffer<T>?) throws -> Product {
        Product(launch: try loss.bind(configuration.loss, outputs: values[layerCount - 1], rows: rows, students: students,
                                      width: widths[layerCount], samples: samples, order: order, deltas: deltas,
                                      lossSums: lossSums),
                gathers: true, firstArgument: LossKernel<T>.firstArgument)
    }

    /// The output layer's forward product and loss, and when `train` its backward step and update,
    /// with the skip term's.
    private func outputLayerStep(rows: Int, order: OpenCLBuffer<Int32>, train: Bool) throws -> Product {
        let l = layerCount - 1, update = parameterUpdate(layer: l)
        let below = lowestTrainable.map { l > $0 } == true
            ? LayerStepKernel<T>.Below(deltas: deltas[l - 1], derivatives: derivatives[l - 1]) : nil
        let launch = try layerStep.bindOutput(
            layer: l, input: l == 0 ? .samples : .values(values[l - 1]), rows: rows, outputs: values[l], deltas: deltas[l],
            below: below, samples: samples, order: order, loss: configuration.loss, lossSums: lossSums, train: train,
            skipScale: configuration.scale(forLayer: layerCount), update: update)
        return Product(launch: launch, gathers: true, firstArgument: LayerStepKernel<T>.firstArgument,
                       update: train ? update : nil, correctionArgument: LayerStepKernel<T>.outputCorrectionArgument)
    }

    private func forward(rows: Int, order: OpenCLBuffer<Int32>) throws -> [Product] {
        let n = students, p = parameters.values
        let skip = parameters.skipOffset
        var products: [Product] = []
        for l in 0..<(fusesOutputLayer ? layerCount - 1 : layerCount) {
            let (inWidth, outWidth) = (widths[l], widths[l + 1])
            let bias = DeviceVector(p, offset: parameters.biasOffset(l), batchStride: l == 0 ? 0 : outWidth)
            let epilogue: GemmKernel<T>.Epilogue =
                l < layerCount - 1 ? .biasActivation(bias, derivatives: derivatives[l])
                : skip == nil ? .bias(bias) : .store   // with a skip term the bias comes with it, below
            if l == 0 {
                // X [B, d] · W₀ᵀ with W₀ all students' [n·h, d] rows: one product for the bank.
                products.append(Product(launch: try gemm.bind(
                    .forward, m: rows, n: n * outWidth, k: inWidth, a: DeviceMatrix(samples.inputs, leadingDimension: inWidth),
                    b: DeviceMatrix(p, offset: parameters.weightOffset(0), leadingDimension: inWidth),
                    c: DeviceMatrix(values[0], leadingDimension: n * outWidth), epilogue: epilogue, gather: order), gathers: true))
            } else {
                products.append(Product(launch: try gemm.bind(
                    .forward, m: rows, n: outWidth, k: inWidth, batch: n,
                    a: DeviceMatrix(values[l - 1], leadingDimension: n * inWidth, batchStride: inWidth),
                    b: DeviceMatrix(p, offset: parameters.weightOffset(l), leadingDimension: inWidth, batchStride: outWidth * inWidth),
                    c: DeviceMatrix(values[l], leadingDimension: n * outWidth, batchStride: outWidth), epilogue: epilogue)))
            }
        }
        if let skip, !fusesOutputLayer {
            // outputs += X · Φᵀ + b for all students at once, as the CPU backend adds it.
            let o = widths[layerCount], d = widths[0]
            products.append(Product(launch: try gemm.bind(
                .forward, m: rows, n: n * o, k: d, a: DeviceMatrix(samples.inputs, leadingDimension: d),
                b: DeviceMatrix(p, offset: skip, leadingDimension: d), c: DeviceMatrix(values[layerCount - 1], leadingDimension: n * o),
                epilogue: .accumulateBias(DeviceVector(p, offset: parameters.biasOffset(layerCount - 1))), gather: order),
                gathers: true))
        }
        return products
    }

    /// Gradients of every trainable tensor, propagating down to the lowest trainable layer only;
    /// each layer's input gradient is taken before its update changes the weights it reads.
    private func backward(rows: Int, order: OpenCLBuffer<Int32>) throws -> [Product] {
        let n = students, p = parameters.values
        let trainable = (0...layerCount).map { configuration.scale(forLayer: $0) != 0 }
        guard let lowest = lowestTrainable else { return [] }
        var products: [Product] = []
        func append(_ launch: BoundLaunch, gathers: Bool = false, _ update: ParameterUpdate<T>? = nil) {
            products.append(Product(launch: launch, gathers: gathers, update: update))
        }
        if let skip = parameters.skipOffset, trainable[layerCount], !fusesOutputLayer {
            let o = widths[layerCount], d = widths[0]
            let update = parameterUpdate(layer: layerCount, rowsPerStudent: o)
            append(try gemm.bind(.weightGradient, m: n * o, n: d, k: rows,
                                 a: DeviceMatrix(deltas[layerCount - 1], leadingDimension: n * o),
                                 b: DeviceMatrix(samples.inputs, leadingDimension: d),
                                 c: DeviceMatrix(p, offset: skip, leadingDimension: d), epilogue: .update(update), gather: order),
                   gathers: true, update)
        }
        for l in stride(from: layerCount - 1, through: min(lowest, layerCount - 1), by: -1) {
            let (inWidth, outWidth) = (widths[l], widths[l + 1])
            if l == layerCount - 1 && fusesOutputLayer { continue }   // the output layer's step did it all
            if fusesHiddenLayer(l) {
                let update = parameterUpdate(layer: l)
                let below = l > lowest ? LayerStepKernel<T>.Below(deltas: deltas[l - 1], derivatives: derivatives[l - 1]) : nil
                products.append(Product(
                    launch: try layerStep.bindHidden(layer: l, rows: rows, inputs: values[l - 1], deltas: deltas[l],
                                                     below: below, update: update),
                    update: update, correctionArgument: LayerStepKernel<T>.hiddenCorrectionArgument))
                continue
            }
            if l > lowest {
                // Δ_{l−1} = (Δ_l · W_l) ⊙ σ′ per student.
                append(try gemm.bind(.inputGradient, m: rows, n: inWidth, k: outWidth, batch: n,
                                     a: DeviceMatrix(deltas[l], leadingDimension: n * outWidth, batchStride: outWidth),
                                     b: DeviceMatrix(p, offset: parameters.weightOffset(l), leadingDimension: inWidth,
                                                     batchStride: outWidth * inWidth),
                                     c: DeviceMatrix(deltas[l - 1], leadingDimension: n * inWidth, batchStride: inWidth),
                                     epilogue: .derivative(derivatives[l - 1])))
            }
            guard trainable[l] else { continue }
            if l == 0 {
                let update = parameterUpdate(layer: 0, rowsPerStudent: outWidth, bias: DeviceVector(p, offset: parameters.biasOffset(0)))
                append(try gemm.bind(.weightGradient, m: n * outWidth, n: inWidth, k: rows,
                                     a: DeviceMatrix(deltas[0], leadingDimension: n * outWidth),
                                     b: DeviceMatrix(samples.inputs, leadingDimension: inWidth),
                                     c: DeviceMatrix(p, offset: parameters.weightOffset(0), leadingDimension: inWidth),
                                     epilogue: .update(update), gather: order), gathers: true, update)
            } else {
                let update = parameterUpdate(layer: l, bias: DeviceVector(p, offset: parameters.biasOffset(l), batchStride: outWidth))
                append(try gemm.bind(.weightGradient, m: outWidth, n: inWidth, k: rows, batch: n,
                                     a: DeviceMatrix(deltas[l], leadingDimension: n * outWidth, batchStride: outWidth),
                                     b: DeviceMatrix(values[l - 1], leadingDimension: n * inWidth, batchStride: inWidth),
                                     c: DeviceMatrix(p, offset: parameters.weightOffset(l), leadingDimension: inWidth,
                                                     batchStride: outWidth * inWidth), epilogue: .update(update)), update)
            }
        }
        return products
    }
}
