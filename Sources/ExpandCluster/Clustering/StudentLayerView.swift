import ECCore
import ECEngine

/// One hidden layer of one student, as the clustering sees it.
public struct StudentLayerView: Sendable {
    public let student: Int
    /// Incoming weights [width, inputs] in the inputs' common basis, and biases.
    public let incoming: Matrix<Double>
    public let bias: [Double]
    /// Outgoing weights [next width, width].
    public let outgoing: Matrix<Double>
    /// Per neuron: ‖outgoing column‖ · standard deviation of its activation over the probe set.
    public let contributions: [Double]

    public init(student: Int, incoming: Matrix<Double>, bias: [Double], outgoing: Matrix<Double>, contributions: [Double]) {
        self.student = student
        self.incoming = incoming
        self.bias = bias
        self.outgoing = outgoing
        self.contributions = contributions
    }
}

extension StudentLayerView {
    /// Views of hidden layer `layer` of every student of `bank`, with contributions measured on
    /// `sample` (a few thousand probe inputs suffice to tell live neurons from dead ones).
    static func views(of bank: StudentBank<Double>, layer: Int, sample: Matrix<Double>) -> [StudentLayerView] {
        (0..<bank.count).map { n in
            let student = bank.student(n)
            let next = student.layers[layer + 1]
            let contributions = Self.contributions(of: student.hiddenActivations(sample)[layer], into: next)
            return StudentLayerView(student: n, incoming: student.layers[layer].weight, bias: student.layers[layer].bias,
                                    outgoing: next.weight, contributions: contributions)
        }
    }

    /// Per neuron: ‖outgoing column‖ · standard deviation of its activation over the sample, i.e.
    /// how much of the next layer's input it moves.
    static func contributions(of activations: Matrix<Double>, into next: DenseLayer<Double>) -> [Double] {
        activations.columnVariances.enumerated().map { j, variance in
            let outgoing = (0..<next.outputs).reduce(0.0) { $0 + next.weight[$1, j] * next.weight[$1, j] }
            return (outgoing * variance).squareRoot()
        }
    }
}
