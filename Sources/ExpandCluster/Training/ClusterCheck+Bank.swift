import ECCore
import ECEngine

/// What a training of one-hidden-layer students needs to apply the cluster stop rule: the rule,
/// and how the clustering of step 2 sees the students (`LayerTree.ofLayer` of the first hidden layer).
public struct ClusterWatch: Sendable {
    let rule: ClusterStopRule
    let sample: Matrix<Double>
    let symmetry: SymmetryClass
    let inputMask: [Bool]?
    let clustering: ClusteringOptions
    /// Var(y): losses are compared with the floor as MSE / Var(y).
    let variance: Double

    public init(rule: ClusterStopRule, sample: Matrix<Double>, symmetry: SymmetryClass, inputMask: [Bool]?,
                clustering: ClusteringOptions, variance: Double) {
        self.rule = rule
        self.sample = sample
        self.symmetry = symmetry
        self.inputMask = inputMask
        self.clustering = clustering
        self.variance = variance
    }

    func isDue(epoch: Int) -> Bool { epoch % rule.everyEpochs == 0 }

    /// The check of `bank` (with per-student `losses`) at `epoch`, counting on from `previous`.
    public func check<T: Real>(_ bank: StudentBank<T>, losses: [Double], epoch: Int, after previous: ClusterCheck?) throws -> ClusterCheck {
        let tree = try LayerTree.ofLayer(0, of: bank.converted(to: Double.self), losses: losses, sample: sample,
                                         layerInputs: sample, symmetry: symmetry, inputMask: inputMask,
                                         options: clustering).tree
        let cut = tree.cut(at: tree.ruleCut)
        var directions = Matrix<Double>(rows: cut.recoveredWidth, columns: tree.points.columns)
        for (i, reference) in tree.references.enumerated() {
            guard let (cluster, sign) = cut.assignment[reference] else { continue }
            for k in 0..<directions.columns { directions[cluster, k] += sign * tree.points[i, k] }
        }
        let fitting = losses.filter { $0 / variance < rule.lossFloor }.count
        let check = ClusterCheck(epoch: epoch, stableChecks: 0, directions: directions)
        guard let previous, fitting >= cut.minimumStudents,
              check.sameClusters(as: previous, angleDegrees: rule.angleDegrees) else { return check }
        return ClusterCheck(epoch: epoch, stableChecks: previous.stableChecks + 1, directions: directions)
    }
}
