/// The parameter tensors of a student in a fixed order: weight and bias of each layer, then the
/// optional skip weight. Backends, optimiser state and checkpoints all follow this order.
public struct ParameterLayout: Sendable, Equatable {
    public struct Tensor: Sendable, Equatable {
        /// File name of the tensor, e.g. "layers.0.weight".
        public let name: String
        /// Shape for one student, e.g. [out, in].
        public let shape: [Int]
        /// Index of the layer whose learning-rate scale applies (the skip term counts as layer L+1).
        public let layer: Int
        public var countPerStudent: Int { shape.reduce(1, *) }
    }

    public let tensors: [Tensor]

    public init(widths: [Int], skip: Bool) {
        var tensors = [Tensor]()
        for l in 0..<widths.count - 1 {
            tensors.append(Tensor(name: "layers.\(l).weight", shape: [widths[l + 1], widths[l]], layer: l))
            tensors.append(Tensor(name: "layers.\(l).bias", shape: [widths[l + 1]], layer: l))
        }
        if skip {
            tensors.append(Tensor(name: "skip.weight", shape: [widths[widths.count - 1], widths[0]],
                                  layer: widths.count - 1))
        }
        self.tensors = tensors
    }

    public var parametersPerStudent: Int { tensors.reduce(0) { $0 + $1.countPerStudent } }
}
