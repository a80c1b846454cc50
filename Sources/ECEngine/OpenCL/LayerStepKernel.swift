import ECCore

/// Kernels/layer_step.cl: a layer's part of a minibatch step in one launch, one work-group per
/// student. The output layer's launch does its forward product (with the skip term's), the loss,
/// the deltas, the delta into the layer below and the layer's and the skip term's updates; a
/// hidden layer's does the delta into the layer below and its update. The general path takes
/// them for layers small enough (`fitsOutputLayer`, `fitsHiddenLayer`) and its matrix products
/// for the others.
final class LayerStepKernel<T: Real> {
    /// The widest output layer the fused launch takes: its loss and forward product loop over a
    /// student's outputs per row.
    static var maximumOutputWidth: Int { 16 }
    /// The most weights per student of a fused hidden layer, whose products one work-group walks
    /// tile by tile; wider layers keep the products, whose tiles spread over work-groups.
    static var maximumHiddenWeights: Int { 128 * 128 }

    static func fitsOutputLayer(width: Int) -> Bool { width <= maximumOutputWidth }
    static func fitsHiddenLayer(inputWidth: Int, width: Int) -> Bool { inputWidth * width <= maximumHiddenWeights }

    /// Where the arguments that change between steps sit: the minibatch's position in the order
    /// (output_layer_step) and Adam's first correction (the second follows it).
    static var firstArgument: Int { 5 }
    static var outputCorrectionArgument: Int { 32 }
    static var hiddenCorrectionArgument: Int { 18 }

    /// What the output layer reads: the layer below's values, [rows, students·width], or (no
    /// hidden layer) the probe set's inputs through the epoch's order.
    enum Input {
        case values(OpenCLBuffer<T>)
        case samples
    }

    /// The delta into the layer below and that layer's σ′, both [rows, students·inputWidth].
    struct Below {
        let deltas: OpenCLBuffer<T>
        let derivatives: OpenCLBuffer<T>
    }

    private let tuning: KernelTuning
    private let program: OpenCLProgram

    init(context: OpenCLContext, tuning: KernelTuning) throws {
        self.tuning = tuning
        program = try context.program(files: ["reduce", "loss", "optimizer", "gemm_tiles", "layer_step"], scalar: T.self,
                                      defines: tuning.lossDefines + [define("LAYER_GROUP", tuning.layerGroup)]
                                          + tuning.fitting(context.device, scalar: T.self).gemmDefines)
    }

    /// layer_step.cl's LAYER_* flags.
    private static func flags(train: Bool = true, skip: Bool = false, propagate: Bool, update: ParameterUpdate<T>) -> Int32 {
        (train ? 1 : 0) | (skip ? 2 : 0) | (propagate ? 4 : 0) | (update.optimizer.usesMoments ? 8 : 0)
    }

    /// The output layer `layer` of `update.parameters` on minibatches of `rows`: its outputs into
    /// `outputs`, the loss added to `lossSums`, and when `train` the output deltas into `deltas`,
    /// the delta into `below` (when given), the update, and the skip term's (if the parameters
    /// have one) at `skipScale` times the students' rates.
    func bindOutput(layer: Int, input: Input, rows: Int, outputs: OpenCLBuffer<T>, deltas: OpenCLBuffer<T>,
                    below: Below?, samples: DeviceSamples<T>, order: OpenCLBuffer<Int32>, loss: LossFunction,
                    lossSums: OpenCLBuffer<T>, train: Bool, skipScale: Double,
                    update: ParameterUpdate<T>) throws -> BoundLaunch {
        let p = update.parameters, students = p.students
        let (inputWidth, width) = (p.widths[layer], p.widths[layer + 1])
        let (inputs, inputPitch, inputStride, gathers): (OpenCLBuffer<T>, Int, Int, Bool) = switch input {
        case .values(let values): (values, students * inputWidth, inputWidth, false)
        case .samples: (samples.inputs, inputWidth, 0, true)
        }
        let count = rows * students * width
        guard layer == p.widths.count - 2, Self.fitsOutputLayer(width: width), outputs.count >= count, deltas.count >= count,
              inputs.count >= (gathers ? samples.rows : rows) * inputPitch, lossSums.count >= 2 * students,
              rows <= order.count, loss == .crossEntropy ? samples.labels != nil : samples.targetWidth == width,
              below.map({ fits($0, rows: rows, width: students * inputWidth) }) ?? true else {
            throw OpenCLError.invalidRequest("output layer step of \(students) students × [\(rows), \(inputWidth) → \(width)]")
        }
        let (moments, settings) = try update.optimizerArguments(students: students)
        return try BoundLaunch(program.kernel("output_layer_step"), global: [tuning.layerGroup * students],
                               local: [tuning.layerGroup], arguments: [
            .buffer(inputs), .int(inputPitch), .int(inputStride), .int32(gathers ? 1 : 0),
            .buffer(order), .int(0), .buffer(p.values), .int(p.weightOffset(layer)), .int(p.biasOffset(layer)),
            .buffer(outputs), .buffer(samples.targets), samples.labelsArgument, .buffer(deltas), .buffer(lossSums),
            .int(rows), .int(inputWidth), .int(width), .int32(loss == .crossEntropy ? 1 : 0),
            .int32(Self.flags(train: train, skip: p.skipOffset != nil, propagate: below != nil, update: update)),
            .buffer(below?.deltas ?? deltas), .buffer(below?.derivatives ?? deltas),
            .buffer(samples.inputs), .int(p.widths[0]), .int(p.skipOffset ?? 0), .real(T(skipScale)),
        ] + moments + settings)
    }

    /// Hidden layer `layer` (above the first) of `update.parameters` on minibatches of `rows`,
    /// whose deltas are in `deltas`: the delta into `below` (when given) and the update.
    func bindHidden(layer: Int, rows: Int, inputs: OpenCLBuffer<T>, deltas: OpenCLBuffer<T>, below: Below?,
                    update: ParameterUpdate<T>) throws -> BoundLaunch {
        let p = update.parameters, students = p.students
        let (inputWidth, width) = (p.widths[layer], p.widths[layer + 1])
        guard layer > 0, layer < p.widths.count - 2, Self.fitsHiddenLayer(inputWidth: inputWidth, width: width),
              inputs.count >= rows * students * inputWidth, deltas.count >= rows * students * width,
              below.map({ fits($0, rows: rows, width: students * inputWidth) }) ?? true else {
            throw OpenCLError.invalidRequest("hidden layer step of \(students) students × [\(rows), \(inputWidth) → \(width)]")
        }
        let (moments, settings) = try update.optimizerArguments(students: students)
        let threads = tuning.gemmThreads
        return try BoundLaunch(program.kernel("hidden_layer_step"), global: [threads.n * students, threads.m],
                               local: [threads.n, threads.m], arguments: [
            .buffer(inputs), .buffer(p.values), .int(p.weightOffset(layer)), .int(p.biasOffset(layer)),
            .buffer(deltas), .buffer(below?.deltas ?? deltas), .buffer(below?.derivatives ?? deltas),
            .int(rows), .int(inputWidth), .int(width),
            .int32(Self.flags(propagate: below != nil, update: update)),
        ] + moments + settings)
    }

    private func fits(_ below: Below, rows: Int, width: Int) -> Bool {
        below.deltas.count >= rows * width && below.derivatives.count >= rows * width
    }
}
