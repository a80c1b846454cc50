import Foundation

/// One name for each phase of a run, used everywhere a phase is named: checkpoint files, the
/// epoch log, the time sums in report.json, progress lines and stop messages.
public enum PhaseID: Hashable, Sendable {
    /// A short pilot expansion at one ρ, to choose ρ (when not given).
    case pilot(rho: Double)
    /// Step 1: train N students wider than the teacher.
    case expand
    /// Second-order polish of the expanded students (float64, small students).
    case polishExpansion
    /// Step 2, per hidden layer (from 1): cluster the students' neurons, and rebuild the layer
    /// from the clusters.
    case cluster(layer: Int)
    case rebuild(layer: Int)
    /// Deep networks: re-train the students with the rebuilt layers up to `afterLayer` frozen,
    /// and polish them.
    case retrain(afterLayer: Int)
    case polishRetrained(afterLayer: Int)
    /// Step 3: the rebuilt hidden layers with a readout fitted by least squares.
    case assemble
    /// Fine-tuning of the assembled network: round 0 after assembly, round k after the k-th pruning.
    case fineTune(round: Int)
    /// Removal of recovered neurons that carry nothing or are not needed.
    case prune
    /// Polished runs: polish the recovered network, grow and reduce it to an exact fit.
    case polishRecovered
    case refine
    /// Comparison with the teacher, when it is known.
    case compare
    /// `ec train`: one expansion without clustering.
    case train

    /// The stable name: checkpoint file names, epoch-log lines, report.json's `phaseSeconds` keys.
    public var name: String {
        switch self {
        case .pilot(let rho): "pilot-rho-\(Self.format(rho))"
        case .expand: "expand"
        case .polishExpansion: "polish-expansion"
        case .cluster(let l): "cluster-layer-\(l)"
        case .rebuild(let l): "rebuild-layer-\(l)"
        case .retrain(let l): "retrain-after-layer-\(l)"
        case .polishRetrained(let l): "polish-after-layer-\(l)"
        case .assemble: "assemble"
        case .fineTune(let round): round == 0 ? "fine-tune" : "fine-tune-after-pruning-\(round)"
        case .prune: "prune"
        case .polishRecovered: "polish-recovered"
        case .refine: "refine"
        case .compare: "compare"
        case .train: "training"
        }
    }

    /// The phase in words, for progress lines and messages.
    public var title: String {
        switch self {
        case .pilot(let rho): "pilot ρ=\(Self.format(rho))"
        case .expand: "expansion"
        case .polishExpansion: "polishing the expansion (Levenberg–Marquardt)"
        case .cluster(let l): "clustering layer \(l)"
        case .rebuild(let l): "rebuilding layer \(l)"
        case .retrain(let l): "re-training after layer \(l)"
        case .polishRetrained(let l): "polishing after layer \(l)"
        case .assemble: "assembly"
        case .fineTune(let round): round == 0 ? "final fine-tuning" : "fine-tuning after pruning (round \(round))"
        case .prune: "pruning"
        case .polishRecovered: "polishing the recovered network"
        case .refine: "exact-fit refinement"
        case .compare: "comparison with the teacher"
        case .train: "training"
        }
    }

    /// Seeds a training phase's minibatch order. These are the names the phases had when the
    /// method was first released, kept so that a run gives the same students from one version to
    /// the next whatever the phases are called.
    var orderSeedName: String {
        switch self {
        case .expand: "expansion"
        case .retrain(let l): "fine-tuning after layer \(l)"
        case .fineTune(let round):
            round == 0 ? "final fine-tuning" : "fine-tuning after pruning" + (round == 1 ? "" : " (round \(round))")
        default: name
        }
    }

    /// "2", "1.5".
    static func format(_ rho: Double) -> String {
        rho == rho.rounded() && abs(rho) < 1e15 ? String(Int(rho)) : String(format: "%g", rho)
    }
}

extension PhaseID: CustomStringConvertible {
    public var description: String { name }
}
