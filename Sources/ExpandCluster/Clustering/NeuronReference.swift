/// A neuron of a student.
public struct NeuronReference: Sendable, Codable, Hashable {
    public let student: Int
    public let neuron: Int

    public init(student: Int, neuron: Int) {
        self.student = student
        self.neuron = neuron
    }
}
