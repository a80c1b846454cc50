import ECCore
import Foundation

/// The functional cut rule (see `CutRule.functional`).
enum FunctionalCut {
    struct Candidate: Sendable, Codable, Equatable {
        let height: Double
        let neurons: Int
        /// MSE / Var(y) of the least-squares readout on the representatives.
        let relativeResidual: Double
    }

    /// Chooses among the plateau cuts of the last hidden layer's tree.
    static func choose(_ tree: LayerTree, views: [Int: StudentLayerView], hidden: [DenseLayer<Double>],
                       activation: Activation, layerInputs: Matrix<Double>, inputs: Matrix<Double>, targets: Matrix<Double>,
                       tolerance: Double) throws -> (height: Double?, candidates: [Candidate]) {
        let variance = max(targets.pooledVariance, .leastNormalMagnitude)
        var candidates = [Candidate]()
        var seen = Set<[NeuronReference]>()
        for height in tree.candidateCuts(limit: 40) + (tree.ruleCut.map { [$0] } ?? []) {
            let result = tree.cut(at: height)
            guard result.recoveredWidth > 0, seen.insert(result.representatives).inserted else { continue }
            let layer = Reconstruction.layer(result, views: views, inputs: layerInputs, activation: activation)
            guard let network = try? Reconstruction.fitReadout(hidden: hidden + [layer], activation: activation, inputs: inputs,
                                                               targets: targets, withSkip: activation.symmetry.needsAffineSkip)
            else { continue }
            let predicted = network(inputs)
            var squared = 0.0
            for (a, b) in zip(predicted.scalars, targets.scalars) { squared += (a - b) * (a - b) }
            candidates.append(Candidate(height: height, neurons: result.recoveredWidth,
                                        relativeResidual: squared / Double(targets.scalars.count) / variance))
        }
        guard let best = candidates.map(\.relativeResidual).min() else { return (tree.ruleCut, candidates) }
        let acceptable = candidates.filter { $0.relativeResidual <= tolerance * best + 1e-14 }
        let chosen = acceptable.min { ($0.neurons, $0.relativeResidual) < ($1.neurons, $1.relativeResidual) }
        return (chosen?.height, candidates.sorted { $0.neurons < $1.neurons })
    }
}
