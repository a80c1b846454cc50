import ECCore
import ECEngine
import ECNumerics
import Foundation

/// Neurons of a deep layer that the size filter missed. A teacher neuron that fewer than ⌊γN⌋
/// students hold as one unit (the others spread it over several units that do not line up)
/// fails the filter, yet every student's next layer reads it, and a layer rebuilt without it
/// cannot give the students back their fit. That is measurable before any fine-tuning: the
/// *unexplained share* of a student is the part of its next layer's input (the pre-activations
/// on the probe sample, each weighted by how much that next unit moves the layer after it) that
/// no affine combination of the rebuilt layer's outputs reproduces. The neuron of a spare
/// cluster (two students or more, below ⌊γN⌋) joins the layer when it cuts the median share
/// over the better half of the students by at least `gain`, the best such candidate first, each
/// judged against the layer with the ones before it. A missing teacher neuron cuts the share
/// well beyond the default gain of 1.4, a partial copy of a neuron already in barely at all
/// (Benchmarks/RESULTS.md, "Span growth").
public struct SpanGrowth {
    /// The neurons added and what they did.
    public struct Outcome: Sendable {
        /// The kept clusters followed by the added ones, for the next layer's remapping.
        public let clustering: LayerClusteringResult
        /// The rebuilt layer: the clustering's neurons, then the added ones.
        public let layer: DenseLayer<Double>
        /// The representatives of the added clusters.
        public let added: [NeuronReference]
        /// Median unexplained share over the better half of the students, with the clustering's
        /// neurons and after.
        public let shareBefore: Double
        public let shareAfter: Double
    }

    /// A layer that leaves less than this share unexplained is complete: a missing neuron of a
    /// layer of r leaves about 1/r of what is read, far above what students near the teacher
    /// leave with the teacher's own layer.
    static let completeShare = 0.01

    let gain: Double
    /// Per student: its weighted next-layer input on the sample, centred [n, next width], and
    /// the squared norm of it.
    let targets: [(input: Matrix<Double>, norm2: Double)]

    /// For hidden layer `layer` (not the last) of `students` on `sample`, the probe inputs the
    /// clustering saw. Only the better half of the students by `losses` take part: students
    /// that have not found the teacher read other things, and a unit that several of them share
    /// would explain those.
    public init(students: StudentBank<Double>, losses: [Double], layer l: Int, sample: Matrix<Double>, gain: Double) {
        precondition(l + 2 < students.student(0).layers.count, "span growth needs a hidden layer after layer \(l)")
        self.gain = gain
        let ranked = (0..<students.count).filter { losses[$0].isFinite }.sorted { losses[$0] < losses[$1] }
        targets = ranked.prefix((ranked.count + 1) / 2).compactMap { s in
            let student = students.student(s)
            let activations = student.hiddenActivations(sample)
            var input = student.layers[l + 1].apply(activations[l])
            // Weight each next unit by contribution / std(pre-activation): the weighted column's
            // spread is how much that unit moves the layer after it.
            let contributions = StudentLayerView.contributions(of: activations[l + 1], into: student.layers[l + 2])
            let weights = zip(input.columnVariances, contributions).map { variance, c in variance > 0 ? c / variance.squareRoot() : 0 }
            let means = input.columnMeans
            var norm2 = 0.0
            for r in 0..<input.rows {
                for c in 0..<input.columns {
                    let v = (input[r, c] - means[c]) * weights[c]
                    input[r, c] = v
                    norm2 += v * v
                }
            }
            return norm2 > 0 ? (input, norm2) : nil
        }
    }

    /// The layer rebuilt from `kept`, grown by the spare clusters (`spare`: the same cut with a
    /// size filter of two students) that pass the gain. `layerInputs` are the layer's inputs on
    /// the sample.
    public func grow(_ kept: LayerClusteringResult, spare: LayerClusteringResult, views: [Int: StudentLayerView],
                     layerInputs: Matrix<Double>, activation: Activation) throws -> Outcome {
        let reconstructed = Reconstruction.layer(kept, views: views, inputs: layerInputs, activation: activation)
        var basis = OrthonormalBasis(length: layerInputs.rows)
        basis.add(Array(repeating: 1, count: layerInputs.rows))
        let features = try Reconstruction.features(of: [reconstructed], activation: activation, on: layerInputs)
        for k in 0..<features.columns { basis.add((0..<features.rows).map { features[$0, k] }) }
        var residuals = targets.map { basis.residual(of: $0.input) }
        let before = share(residuals)

        let keptIndices = kept.representatives.map { spare.representatives.firstIndex(of: $0)! }
        var pending = try Reconstruction.spareIndices(spare, beyond: kept).map { c in
            let neuron = Reconstruction.neuron(k: c, spare, views: views, inputs: layerInputs, activation: activation)
            let single = DenseLayer(weight: Matrix(rows: 1, columns: neuron.weight.count, scalars: neuron.weight), bias: [neuron.bias])
            return (index: c, neuron: neuron,
                    column: try Reconstruction.features(of: [single], activation: activation, on: layerInputs).scalars)
        }
        var accepted = [Int](), rows = (0..<reconstructed.outputs).map { Array(reconstructed.weight.row($0)) }
        var biases = reconstructed.bias, current = before
        while current >= Self.completeShare {
            // The candidate that explains the most of what is left; candidates that only share
            // a few students' units explain little beyond those students.
            var best: (position: Int, direction: [Double], residuals: [Matrix<Double>], share: Double)?
            for (position, candidate) in pending.enumerated() {
                guard let direction = basis.direction(outside: candidate.column) else { continue }
                let trial = residuals.map { OrthonormalBasis.removing(direction, from: $0) }
                let shareWith = share(trial)
                if shareWith < best?.share ?? .infinity { best = (position, direction, trial, shareWith) }
            }
            guard let best, best.share * gain <= current else { break }
            let candidate = pending.remove(at: best.position)
            basis.append(best.direction)
            residuals = best.residuals
            current = best.share
            accepted.append(candidate.index)
            rows.append(candidate.neuron.weight)
            biases.append(candidate.neuron.bias)
        }
        return Outcome(clustering: spare.restricted(to: keptIndices + accepted),
                       layer: DenseLayer(weight: Matrix(rowArrays: rows), bias: biases),
                       added: accepted.map { spare.representatives[$0] }, shareBefore: before, shareAfter: current)
    }

    /// Median over the better half of the students (the targets) of ‖residual‖² / ‖target‖².
    private func share(_ residuals: [Matrix<Double>]) -> Double {
        median(zip(residuals, targets).map { r, t in r.scalars.reduce(0) { $0 + $1 * $1 } / t.norm2 })
    }
}
