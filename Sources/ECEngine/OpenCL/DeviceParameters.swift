import ECCore

/// A bank's parameters on the device, with their Adam moments: one buffer each, holding the
/// tensors of `ParameterLayout` one after another, each [students, per-student count] as in
/// `StudentBank`. The moments share the parameters' layout, so one index addresses a parameter
/// and its moments (the weight-gradient products update them in their epilogue).
public final class DeviceParameters<T: Real> {
    public let widths: [Int]
    public let activation: Activation
    public let layout: ParameterLayout
    public let students: Int
    /// Where each tensor starts in every buffer, and the total count.
    public let tensorOffsets: [Int]
    public let count: Int
    public let values: OpenCLBuffer<T>
    /// Empty (a one-element handle) for SGD.
    public let firstMoments: OpenCLBuffer<T>
    public let secondMoments: OpenCLBuffer<T>

    /// The learning-rate scale of each tensor's layer, for epoch_small.cl.
    let layerScales: OpenCLBuffer<T>

    /// Uploads `bank`, and `optimizerState`'s moments when the optimizer keeps them.
    public init(context: OpenCLContext, bank: StudentBank<T>, optimizerState: OptimizerState<T>,
                configuration: EngineConfiguration) throws {
        widths = bank.widths
        activation = bank.activation
        layout = bank.layout
        students = bank.count
        let sizes = layout.tensors.map { bank.count * $0.countPerStudent }
        tensorOffsets = sizes.indices.map { sizes[..<$0].reduce(0, +) }
        count = sizes.reduce(0, +)
        try checkIndexable(count, "the bank's parameters")
        values = try context.makeBuffer(from: bank.tensors.flatMap { $0 })
        let usesMoments = configuration.optimizer.usesMoments
        guard optimizerState.firstMoments.count == (usesMoments ? layout.tensors.count : 0),
              zip(optimizerState.firstMoments + optimizerState.secondMoments, sizes + sizes).allSatisfy({ $0.count == $1 })
        else {
            throw ECError.shapeMismatch("the optimizer state's moments do not match the bank's \(layout.tensors.count) tensors")
        }
        firstMoments = try context.makeBuffer(from: optimizerState.firstMoments.flatMap { $0 })
        secondMoments = try context.makeBuffer(from: optimizerState.secondMoments.flatMap { $0 })
        layerScales = try context.makeBuffer(from: layout.tensors.map { T(configuration.scale(forLayer: $0.layer)) })
    }

    /// Where tensor `t` of student `student` starts.
    public func offset(ofTensor t: Int, student: Int = 0) -> Int {
        tensorOffsets[t] + student * layout.tensors[t].countPerStudent
    }

    /// Offsets of layer `l`'s weight and bias tensors, and of the skip weight.
    func weightOffset(_ l: Int) -> Int { tensorOffsets[2 * l] }
    func biasOffset(_ l: Int) -> Int { tensorOffsets[2 * l + 1] }
    var skipOffset: Int? { layout.tensors.count > 2 * (widths.count - 1) ? tensorOffsets.last : nil }

    /// The bank as it is now on the device.
    public func bank() throws -> StudentBank<T> {
        let tensors = split(try values.read())
        let layers = widths.count - 1
        return try StudentBank(widths: widths, count: students, activation: activation,
                               weights: (0..<layers).map { tensors[2 * $0] }, biases: (0..<layers).map { tensors[2 * $0 + 1] },
                               skip: skipOffset == nil ? nil : tensors.last)
    }

    /// The moments as they are now on the device, one array per tensor; empty for SGD.
    public func moments() throws -> (first: [[T]], second: [[T]]) {
        guard firstMoments.count == count else { return ([], []) }
        return (split(try firstMoments.read()), split(try secondMoments.read()))
    }

    /// A whole-buffer download cut into its tensors.
    private func split(_ all: [T]) -> [[T]] {
        zip(tensorOffsets, tensorOffsets.dropFirst() + [count]).map { Array(all[$0 ..< $1]) }
    }
}
