import ECCore

/// The recovered network's clean-up after its fine-tuning. Hidden neurons that carry nothing go
/// (their mean output folded into the next bias); in runs without polishing, near-duplicate
/// twins are folded together (`DuplicateFolding`), and then, cheapest first, any neuron that the
/// network can do without: removed as the exact-fit elimination removes one (its output handed
/// to the next layer by least squares, or the readout refitted), the network fits the probe
/// sample within `removalLossFactor` of the loss it had and below 1e-4 of Var(y). A float32
/// network is never exact, so its own loss is the yardstick: neurons beyond the teacher's cost
/// the fit little against that loss, while the teacher's own cost it orders of magnitude more,
/// though they need not be negligible or twins. The cap leaves a network that fits badly as it
/// is. Then the network is fine-tuned again, and since that can silence a neuron the removals
/// left with nothing to do, the removals are tried again after every fine-tuning, until a round
/// removes nothing or `maxRounds` fine-tunings ran.
public struct NeuronPruning {
    public let sample: Matrix<Double>
    public let sampleTargets: Matrix<Double>
    /// A neuron whose contribution is at most this fraction of its layer's largest carries nothing.
    public let negligibleFraction: Double
    /// Twins are folded at this output correlation or more; nil: none are.
    public let duplicateCorrelation: Double?
    /// A neuron the network does without at this factor of its loss or less goes; nil: none does.
    public let removalLossFactor: Double?
    public var maxRounds = 3

    public init(sample: Matrix<Double>, sampleTargets: Matrix<Double>, negligibleFraction: Double,
                duplicateCorrelation: Double?, removalLossFactor: Double?) {
        (self.sample, self.sampleTargets) = (sample, sampleTargets)
        (self.negligibleFraction, self.duplicateCorrelation) = (negligibleFraction, duplicateCorrelation)
        self.removalLossFactor = removalLossFactor
    }

    public struct Outcome {
        public var network: Network<Double>
        /// Per hidden layer, the neurons removed as carrying nothing, as twins and as unneeded,
        /// numbered as in the network given to `run`.
        public var pruned: [[Int]]
        public var duplicates: [[Int]]
        public var unneeded: [[Int]]
        /// The fine-tunings that ran.
        public var rounds = 0
    }

    /// `fineTune(network, round)` returns the network fine-tuned after round `round` (from 0)
    /// removed neurons from it.
    public func run(_ network: Network<Double>, progress: (ProgressEvent) -> Void,
                    fineTune: (Network<Double>, Int) throws -> Network<Double>) throws -> Outcome {
        var survivors = SurvivingNeurons(network)
        let none = network.layers.dropLast().map { _ in [Int]() }
        var outcome = Outcome(network: network, pruned: none, duplicates: none, unneeded: none)
        let variance = max(sampleTargets.pooledVariance, .leastNormalMagnitude)
        while outcome.rounds < maxRounds {
            // Judged by the loss the network has before this round removes anything.
            let tolerance = removalLossFactor.map { factor in
                min(factor * outcome.network(sample).meanSquaredDifference(to: sampleTargets) / variance,
                    IdentificationCriteria.toy.maximumRelativeMSE)
            }
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
            var unneeded = 0
            if let tolerance {
                let elimination = try Reconstruction.eliminateRedundant(reduced, inputs: sample, targets: sampleTargets,
                                                                        tolerance: tolerance)
                unneeded = Self.record(elimination.removed, in: &outcome.unneeded, survivors: &survivors)
                if unneeded > 0 {
                    progress(.note("removed \(unneeded) recovered neuron(s) the network fits the probe set as well without (below \(String(format: "%.1e", tolerance)) of Var(y))"))
                }
                reduced = elimination.network
            }
            guard pruned + folded + unneeded > 0 else { break }
            outcome.network = try fineTune(reduced, outcome.rounds)
            outcome.rounds += 1
        }
        return outcome
    }

    /// Adds removals, numbered in the current network, to `list` in the first network's
    /// numbering; returns how many there were.
    private static func record(_ removed: [[Int]], in list: inout [[Int]], survivors: inout SurvivingNeurons) -> Int {
        for (l, original) in survivors.remove(removed).enumerated() { list[l] = (list[l] + original).sorted() }
        return removed.reduce(0) { $0 + $1.count }
    }
}
