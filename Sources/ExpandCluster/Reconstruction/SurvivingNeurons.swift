import ECCore

/// The hidden neurons left after a series of removals, in the numbering of the network the
/// removals started from. Each removal step numbers neurons in the network it was given; this
/// keeps the mapping back to the first network, which is how reports name neurons.
struct SurvivingNeurons {
    /// Per hidden layer, the first network's index of each neuron of the current network.
    private var original: [[Int]]
    /// Per hidden layer, the first network's indices of the neurons removed so far, sorted.
    private(set) var removed: [[Int]]

    init(_ network: Network<Double>) {
        original = network.layers.dropLast().map { Array(0..<$0.outputs) }
        removed = original.map { _ in [] }
    }

    /// Removes `indices` (per hidden layer, numbered in the current network) and returns them in
    /// the first network's numbering, sorted.
    @discardableResult
    mutating func remove(_ indices: [[Int]]) -> [[Int]] {
        var gone = original.map { _ in [Int]() }
        for (l, current) in indices.enumerated() where !current.isEmpty {
            gone[l] = current.map { original[l][$0] }.sorted()
            let dropped = Set(current)
            original[l] = original[l].indices.filter { !dropped.contains($0) }.map { original[l][$0] }
            removed[l] = (removed[l] + gone[l]).sorted()
        }
        return gone
    }

    /// Removes one neuron of hidden layer `layer` (numbered in the current network).
    mutating func remove(_ neuron: Int, fromLayer layer: Int) {
        var indices = original.map { _ in [Int]() }
        indices[layer] = [neuron]
        remove(indices)
    }
}
