import ECCore
import ECEngine
import Foundation

/// The last step for a polished recovered network, built on one fact: in float64 the
/// teacher's own neurons reproduce the probe set to rounding once polished, and a network that
/// misses one of them, or holds one that is slightly wrong, does not. So the fit itself says whether the
/// clusters gave the right neurons:
///
/// - growth (the last hidden layer): a network that is not exact gets the neurons of that
///   layer's clusters that fell short of ⌊γN⌋ students, biggest cluster first (in a deep
///   network their incoming weights read the rebuilt layers below as they were before the final
///   fine-tuning moved them a little, which the re-polish can undo); each is tried with the
///   network re-polished and kept when it brings the loss down tenfold, until the fit is exact;
///   the grown network is kept only when it becomes exact (a teacher neuron that fewer than
///   half the students held as one tight group, or held as several units that do not all line up);
/// - elimination (any depth): from an exact network, neurons go while the re-polished rest
///   stays exact: first those that a least-squares refit alone can do without (the readout for
///   the last hidden layer, the next layer's weights on the removed neuron's siblings for an
///   earlier one; their cost on the sample below `tolerance`), then any that a re-polished network can do without (two
///   ReLU kinks that fall between the same probe points are one neuron to the probe set, and
///   only a re-fit moves the other kink onto the teacher's).
public struct ExactFitRefinement {
    let activation: Activation
    /// The probe set, for the readout of a grown network.
    let inputs: Matrix<Double>
    let targets: Matrix<Double>
    /// A subsample of it, for the many readout fits of elimination.
    let sample: Matrix<Double>
    let sampleTargets: Matrix<Double>
    /// Removals whose cost with only the readout refitted (MSE / Var(y) on the sample) is below
    /// this are tried first (`IdentifyOptions.redundancyTolerance`).
    let tolerance: Double
    /// Polishes a network and returns it with its probe-set MSE / Var(y).
    let polish: (Network<Double>) throws -> (network: Network<Double>, relativeLoss: Double)

    public init(activation: Activation, inputs: Matrix<Double>, targets: Matrix<Double>, sample: Matrix<Double>,
                sampleTargets: Matrix<Double>, tolerance: Double,
                polish: @escaping (Network<Double>) throws -> (network: Network<Double>, relativeLoss: Double)) {
        self.activation = activation
        self.inputs = inputs
        self.targets = targets
        self.sample = sample
        self.sampleTargets = sampleTargets
        self.tolerance = tolerance
        self.polish = polish
    }

    /// Below this MSE / Var(y) a polished float64 network counts as reproducing the probe set:
    /// ten decades under the worst misfit seen from a wrong network, a few above rounding.
    public static let exactLoss = 1e-16
    /// Spare neurons tried, and removals re-polished, at most: each try is one polish.
    static let maximumGrowthTries = 8
    static let maximumPolishedRemovals = 3

    /// `network` grown by spare neurons of its last hidden layer until exact, or unchanged (with
    /// nothing added) when they do not make it exact.
    public func grow(_ network: Network<Double>, relativeLoss: Double,
              spares: [(weight: [Double], bias: Double)]) throws -> (network: Network<Double>, relativeLoss: Double, added: Int) {
        guard relativeLoss > Self.exactLoss, !spares.isEmpty else { return (network, relativeLoss, 0) }
        let last = network.layers.count - 2
        var current = (network: network, relativeLoss: relativeLoss), added = 0
        for spare in spares.prefix(Self.maximumGrowthTries) {
            let hidden = current.network.layers[last]
            let grown = DenseLayer(weight: Matrix(rowArrays: (0..<hidden.outputs).map { Array(hidden.weight.row($0)) } + [spare.weight]),
                                   bias: hidden.bias + [spare.bias])
            let stack = Array(current.network.layers[..<last]) + [grown]
            let candidate = try polish(try Reconstruction.fitReadout(hidden: stack, activation: activation, inputs: inputs,
                                                                     targets: targets, withSkip: network.skip != nil))
            guard candidate.relativeLoss < current.relativeLoss / 10 else { continue }
            current = candidate
            added += 1
            if current.relativeLoss < Self.exactLoss { return (current.network, current.relativeLoss, added) }
        }
        return (network, relativeLoss, 0)
    }

    /// `network` without the neurons an exact fit does not need, and their indices in it per
    /// hidden layer. Only an exact network is reduced, and a removal stands only when the
    /// re-polished network is still exact (a removal that leaves 1e-9 has taken a teacher
    /// neuron, or half of one). In a deep network a neuron of any hidden layer can go.
    public func eliminate(_ network: Network<Double>, relativeLoss: Double) throws -> (network: Network<Double>, relativeLoss: Double, removed: [[Int]]) {
        var current = (network: network, relativeLoss: relativeLoss)
        var survivors = SurvivingNeurons(network)
        while current.relativeLoss < Self.exactLoss {
            var next: (network: Network<Double>, relativeLoss: Double)?
            var gone = network.layers.dropLast().map { _ in [Int]() }
            let reduced = try Reconstruction.eliminateRedundant(current.network, inputs: sample, targets: sampleTargets,
                                                                tolerance: tolerance)
            if reduced.removed.contains(where: { !$0.isEmpty }) {
                let polished = try polish(reduced.network)
                if polished.relativeLoss < Self.exactLoss { (next, gone) = (polished, reduced.removed) }
            }
            if next == nil {
                for removal in try Reconstruction.removals(from: current.network, inputs: sample, targets: sampleTargets)
                    .prefix(Self.maximumPolishedRemovals) {
                    let polished = try polish(removal.network)
                    if polished.relativeLoss < Self.exactLoss {
                        next = polished
                        gone[removal.layer] = [removal.neuron]
                        break
                    }
                }
            }
            guard let next else { break }
            survivors.remove(gone)
            current = next
        }
        return (current.network, current.relativeLoss, survivors.removed)
    }

    /// The fallback when the clusters gave no exact network: the best student (by
    /// `relativeLosses`, MSE / Var(y) on the probe set), if it reproduces the probe set exactly,
    /// reduced by `eliminate`. An exact student is the teacher plus neurons the fit does not
    /// need; on the toy suite 24 runs (most at ρ = 1, where fewer than ⌊γN⌋ students found the
    /// teacher) ended with no exact network while one of their students was exact. Nil when no
    /// student is exact or its reduction does not stay exact.
    public func reduceBestStudent(of students: StudentBank<Double>, relativeLosses: [Double]) throws
        -> (network: Network<Double>, relativeLoss: Double, reduction: StudentReduction)? {
        guard let best = relativeLosses.indices.filter({ relativeLosses[$0].isFinite }).min(by: { relativeLosses[$0] < relativeLosses[$1] }),
              relativeLosses[best] < Self.exactLoss else { return nil }
        let student = students.student(best)
        let reduced = try eliminate(student, relativeLoss: relativeLosses[best])
        guard reduced.relativeLoss < Self.exactLoss else { return nil }
        return (reduced.network, reduced.relativeLoss,
                StudentReduction(student: best, widths: student.hiddenWidths, removed: reduced.removed))
    }
}
