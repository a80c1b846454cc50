import ECCore

/// The recovered network's clean-up after its fine-tuning: hidden neurons that carry nothing go
/// (their mean output folded into the next bias), and in runs without polishing near-duplicate
/// twins are folded together (`DuplicateFolding`); then the network is fine-tuned again. That
/// fine-tuning can silence a neuron the removals left with nothing to do: on the 784-8-8-10
/// Fashion-MNIST teacher probed with 16,000 images (RESULTS.md), a second-layer neuron at 6e-3
/// of its layer's largest contribution fell to 2e-5 in the fine-tuning after its layer lost a
/// twin, and stayed as a ninth neuron where the teacher has eight. So the removals are tried
/// again after every fine-tuning, until a round removes nothing or `maxRounds` fine-tunings ran.
public struct NeuronPruning {
    public let sample: Matrix<Double>
    public let sampleTargets: Matrix<Double>
    /// A neuron whose contribution is at most this fraction of its layer's largest carries nothing.
    public let negligibleFraction: Double
    /// Twins are folded at this output correlation or more; nil: none are.
    public let duplicateCorrelation: Double?
    public var maxRounds = 3

    public init(sample: Matrix<Double>, sampleTargets: Matrix<Double>, negligibleFraction: Double,
                duplicateCorrelation: Double?) {
        (self.sample, self.sampleTargets) = (sample, sampleTargets)
        (self.negligibleFraction, self.duplicateCorrelation) = (negligibleFraction, duplicateCorrelation)
    }

    public struct Outcome {
        public var network: Network<Double>
        /// Per hidden layer, the neurons removed as carrying nothing and as twins, numbered as in
        /// the network given to `run`.
        public var pruned: [[Int]]
        public var duplicates: [[Int]]
        /// The fine-tunings that ran.
        public var rounds = 0
    }

    /// `fineTune(network, round)` returns the network fine-tuned after round `round` (from 0)
    /// removed neurons from it.
    public func run(_ network: Network<Double>, progress: (ProgressEvent) -> Void,
             fineTune: (Network<Double>, Int) throws -> Network<Double>) throws -> Outcome {
        var survivors = network.layers.dropLast().map { Array(0..<$0.outputs) }
        var outcome = Outcome(network: network, pruned: survivors.map { _ in [] }, duplicates: survivors.map { _ in [] })
        while outcome.rounds < maxRounds {
            let negligible = try Reconstruction.pruneNegligible(outcome.network, sample: sample, fraction: negligibleFraction)
            let pruned = Self.record(negligible.removed, in: &outcome.pruned, survivors: &survivors)
            if pruned > 0 { progress(.note("pruned \(pruned) recovered neuron(s) that carry nothing")) }
            var reduced = negligible.network, folded = 0
            if let duplicateCorrelation {
                let folding = try DuplicateFolding.fold(reduced, sample: sample, sampleTargets: sampleTargets,
                                                        correlation: duplicateCorrelation)
                folded = Self.record(folding.removed, in: &outcome.duplicates, survivors: &survivors)
                if folded > 0 {
                    progress(.note("folded \(folded) recovered neuron(s) into a twin whose output correlates with theirs at \(duplicateCorrelation) or more"))
                }
                reduced = folding.network
            }
            guard pruned + folded > 0 else { break }
            outcome.network = try fineTune(reduced, outcome.rounds)
            outcome.rounds += 1
        }
        return outcome
    }

    /// Adds removals, numbered in the current network, to `list` in the first network's
    /// numbering, and drops them from `survivors` (the current network's neurons, so numbered);
    /// returns how many there were.
    private static func record(_ removed: [[Int]], in list: inout [[Int]], survivors: inout [[Int]]) -> Int {
        for (l, indices) in removed.enumerated() where !indices.isEmpty {
            list[l] = (list[l] + indices.map { survivors[l][$0] }).sorted()
            survivors[l] = survivors[l].indices.filter { !indices.contains($0) }.map { survivors[l][$0] }
        }
        return removed.reduce(0) { $0 + $1.count }
    }
}
