import ECCore

/// N students of identical widths, stored with the student as the outer index of every tensor
/// (`weights[l]` is [N, out, in] row-major, `biases[l]` is [N, out]), so that one layer of all
/// students is one batched matrix product.
public struct StudentBank<T: Real>: Sendable, Equatable {
    /// [inputs, hidden widths..., outputs].
    public let widths: [Int]
    public let count: Int
    public var activation: Activation
    public var weights: [[T]]
    public var biases: [[T]]
    /// Optional affine skip weights [N, outputs, inputs]; their constant part lives in the output bias.
    public var skip: [T]?

    public init(widths: [Int], count: Int, activation: Activation, weights: [[T]], biases: [[T]],
                skip: [T]? = nil) throws {
        guard widths.count >= 2, widths.allSatisfy({ $0 > 0 }) else {
            throw ECError.invalidArgument("widths must be at least two positive numbers (got \(widths))")
        }
        guard count > 0 else { throw ECError.invalidArgument("a bank needs at least one student (got \(count))") }
        let layout = ParameterLayout(widths: widths, skip: skip != nil)
        let tensors = zip(weights, biases).flatMap { [$0.0, $0.1] } + (skip.map { [$0] } ?? [])
        guard weights.count == widths.count - 1, biases.count == widths.count - 1 else {
            throw ECError.shapeMismatch("\(weights.count) weight and \(biases.count) bias tensors for \(widths.count - 1) layers")
        }
        for (tensor, spec) in zip(tensors, layout.tensors) where tensor.count != count * spec.countPerStudent {
            throw ECError.shapeMismatch(
                "\(spec.name) holds \(tensor.count) values; \(count) students of widths \(widths) need \(count * spec.countPerStudent)")
        }
        self.widths = widths
        self.count = count
        self.activation = activation
        self.weights = weights
        self.biases = biases
        self.skip = skip
    }

    /// Students initialised as PyTorch initialises nn.Linear: weights and biases uniform in
    /// ±1/√fan_in. The skip term, if requested, starts at zero.
    public static func random(widths: [Int], count: Int, activation: Activation, seed: UInt64,
                              skip: Bool = false) throws -> StudentBank {
        guard widths.count >= 2, widths.allSatisfy({ $0 > 0 }) else {
            throw ECError.invalidArgument("widths must be positive (got \(widths.dropFirst().dropLast().map(String.init).joined(separator: ",")))")
        }
        // Training holds each weight four times: the value, its gradient and Adam's two moments.
        try MemoryBudget.require(zip(widths, widths.dropFirst()).map { [count, $0, $1] },
                                 bytesEach: 4 * MemoryLayout<T>.size,
                                 for: "\(count) students of widths \(widths.map(String.init).joined(separator: "-"))")
        var random = RandomSource(seed: seed, stream: 0x5717_DE47)
        var weights = [[T]](), biases = [[T]]()
        for l in 0..<widths.count - 1 {
            let bound = 1 / Double(widths[l]).squareRoot()
            weights.append((0..<count * widths[l + 1] * widths[l]).map { _ in T(random.uniform(-bound, bound)) })
            biases.append((0..<count * widths[l + 1]).map { _ in T(random.uniform(-bound, bound)) })
        }
        let skipWeights = skip ? [T](repeating: 0, count: count * widths[widths.count - 1] * widths[0]) : nil
        return try StudentBank(widths: widths, count: count, activation: activation, weights: weights,
                               biases: biases, skip: skipWeights)
    }

    /// Stacks networks of identical widths into a bank; a network's skip bias is folded into its
    /// output bias.
    public init(students: [Network<T>]) throws {
        guard let first = students.first else { throw ECError.invalidArgument("no students to stack") }
        guard students.allSatisfy({ $0.widths == first.widths && $0.activation == first.activation }) else {
            throw ECError.shapeMismatch("students to stack differ in widths or activation")
        }
        let hasSkip = students.contains { $0.skip != nil }
        let layers = first.layers.count
        var weights = [[T]](), biases = [[T]]()
        for l in 0..<layers {
            weights.append(students.flatMap { $0.layers[l].weight.scalars })
            biases.append(students.flatMap { s -> [T] in
                guard l == layers - 1, let skip = s.skip else { return s.layers[l].bias }
                return zip(s.layers[l].bias, skip.bias).map { $0 + $1 }
            })
        }
        let skip = hasSkip ? students.flatMap { s in
            s.skip?.weight.scalars ?? [T](repeating: 0, count: first.outputCount * first.inputCount)
        } : nil
        try self.init(widths: first.widths, count: students.count, activation: first.activation,
                      weights: weights, biases: biases, skip: skip)
    }

    public var layout: ParameterLayout { ParameterLayout(widths: widths, skip: skip != nil) }
    public var hiddenWidths: [Int] { Array(widths.dropFirst().dropLast()) }

    /// Student `n` as a network (a skip term, if any, with zero bias).
    public func student(_ n: Int) -> Network<T> {
        let layers = (0..<widths.count - 1).map { l -> DenseLayer<T> in
            let (o, i) = (widths[l + 1], widths[l])
            return DenseLayer(weight: Matrix(rows: o, columns: i, scalars: Array(weights[l][n * o * i ..< (n + 1) * o * i])),
                              bias: Array(biases[l][n * o ..< (n + 1) * o]))
        }
        let skipLayer = skip.map { s -> DenseLayer<T> in
            let (o, i) = (widths[widths.count - 1], widths[0])
            return DenseLayer(weight: Matrix(rows: o, columns: i, scalars: Array(s[n * o * i ..< (n + 1) * o * i])),
                              bias: [T](repeating: 0, count: o))
        }
        // Widths are consistent by construction.
        return try! Network(activation: activation, layers: layers, skip: skipLayer)
    }

    /// All parameter tensors in layout order (weight 0, bias 0, weight 1, ..., skip).
    public var tensors: [[T]] {
        zip(weights, biases).flatMap { [$0.0, $0.1] } + (skip.map { [$0] } ?? [])
    }

    /// Replaces all parameter tensors, given in layout order.
    public mutating func setTensors(_ tensors: [[T]]) {
        precondition(tensors.count == layout.tensors.count)
        for l in 0..<weights.count {
            weights[l] = tensors[2 * l]
            biases[l] = tensors[2 * l + 1]
        }
        if skip != nil { skip = tensors[tensors.count - 1] }
    }

    /// Students `range`, in order, as a bank of their own.
    public func students(_ range: Range<Int>) -> StudentBank {
        let parts = Self.students(range, of: tensors, layout: layout), layers = widths.count - 1
        return try! StudentBank(widths: widths, count: range.count, activation: activation,
                                weights: (0..<layers).map { parts[2 * $0] }, biases: (0..<layers).map { parts[2 * $0 + 1] },
                                skip: skip == nil ? nil : parts.last)
    }

    /// The parts of per-student `tensors` (in `layout` order: parameters, or an optimiser's
    /// moments) that belong to students `range`.
    public static func students(_ range: Range<Int>, of tensors: [[T]], layout: ParameterLayout) -> [[T]] {
        zip(tensors, layout.tensors).map { tensor, spec in
            Array(tensor[range.lowerBound * spec.countPerStudent ..< range.upperBound * spec.countPerStudent])
        }
    }

    /// The same bank in another precision.
    public func converted<U: Real>(to _: U.Type = U.self) -> StudentBank<U> {
        let convert = { (a: [T]) in a.map { U(Double($0)) } }
        return try! StudentBank<U>(widths: widths, count: count, activation: activation,
                                   weights: weights.map(convert), biases: biases.map(convert),
                                   skip: skip.map(convert))
    }
}
