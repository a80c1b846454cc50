import ECCore
import ECEngine
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// A planted deep layer: six students share first-layer neurons w1 and w2; w3 is one unit in
/// students 0 and 1 only (below ⌊γN⌋ = 3) and two units either side of it in the other four,
/// each pair along its own direction, so it never forms a big cluster; students 0 and 1 also
/// share a junk unit that only they read. The growth must add w3 and nothing else; and a layer
/// that already explains almost all of what the students read takes nothing more.
struct SpanGrowthTests {
    static let sample: Matrix<Double> = randomMatrix(800, 4, seed: 41)

    static func students() throws -> (bank: StudentBank<Double>, w3: [Double]) {
        var random = RandomSource(seed: 42)
        let w = (0..<3).map { _ in random.unitVector(4).map { 1.5 * $0 } }
        let b = (0..<3).map { _ in random.uniform(-0.5, 0.5) }
        let junk = random.unitVector(4)
        let v = (0..<2).map { _ in (0..<3).map { _ in random.normal() } }   // second layer [2, 3]
        let networks = try (0..<6).map { s -> Network<Double> in
            var rows = [w[0], w[1]], biases = [b[0], b[1]]
            var outgoing: [[Double]] = v.map { [$0[0], $0[1]] }
            if s < 2 {
                rows += [w[2], junk]; biases += [b[2], 0.2]
                for o in 0..<2 { outgoing[o] += [v[o][2], 0.3] }
            } else {
                // A unit direction orthogonal to w3: the pair sits 9.5° either side of it.
                let r = random.unitVector(4), along = zip(r, w[2]).reduce(0) { $0 + $1.0 * $1.1 } / 2.25
                let orthogonal = zip(r, w[2]).map { $0 - along * $1 }
                let u = orthogonal.map { $0 / orthogonal.euclideanNorm }
                rows += [zip(w[2], u).map { $0 + 0.25 * $1 }, zip(w[2], u).map { $0 - 0.25 * $1 }]
                biases += [b[2], b[2]]
                for o in 0..<2 { outgoing[o] += [v[o][2] / 2, v[o][2] / 2] }
            }
            return try Network(activation: .tanh, layers: [
                DenseLayer(weight: Matrix(rowArrays: rows), bias: biases),
                DenseLayer(weight: Matrix(rowArrays: outgoing), bias: [0.1, -0.1]),
                DenseLayer(weight: Matrix(rowArrays: [[1, -1]]), bias: [0]),
            ])
        }
        return (try StudentBank(students: networks), w[2])
    }

    /// First-layer views of `bank`'s students and the clusters of a cut at 2° (the split units,
    /// 9.5° off w3, stay apart): with ⌊γN⌋ students, and with two.
    static func clusters(_ bank: StudentBank<Double>, losses: [Double])
        throws -> (views: [Int: StudentLayerView], kept: LayerClusteringResult, spare: LayerClusteringResult) {
        let views = (0..<bank.count).map { s in
            let student = bank.student(s)
            return StudentLayerView(student: s, incoming: student.layers[0].weight, bias: student.layers[0].bias,
                                    outgoing: student.layers[1].weight,
                                    contributions: Array(repeating: 1, count: student.layers[0].outputs))
        }
        let tree = try LayerTree(layer: 0, students: views, losses: losses, symmetry: Activation.tanh.symmetry,
                                 inputMask: nil, options: ClusteringOptions(), layerInputs: Self.sample)
        let height = 2 * sin(2 * Double.pi / 360)
        return ([Int: StudentLayerView](uniqueKeysWithValues: views.map { ($0.student, $0) }),
                tree.cut(at: height), tree.cut(at: height, minimumStudents: 2))
    }

    @Test func theMissingNeuronJoinsAndTheJunkDoesNot() throws {
        let (bank, w3) = try Self.students()
        // The better half, which judges: students 1, 2 and 3, one of them holding the junk.
        let losses = [3e-6, 1e-6, 1e-6, 1e-6, 2e-6, 2e-6]
        let (byStudent, kept, spare) = try Self.clusters(bank, losses: losses)
        #expect(kept.recoveredWidth == 2)
        #expect(spare.recoveredWidth == 4, "w1, w2, and the two clusters of students 0 and 1")

        let growth = try SpanGrowth(students: bank, losses: losses, layer: 0, sample: Self.sample, gain: 2)
            .grow(kept, spare: spare, views: byStudent, layerInputs: Self.sample, activation: .tanh)
        #expect(growth.added.count == 1)
        #expect(growth.added.first.map { $0.student < 2 && $0.neuron == 2 } == true, "w3's cluster, not the junk's")
        #expect(growth.layer.outputs == 3 && growth.clustering.recoveredWidth == 3)
        #expect(VectorAngle(Array(growth.layer.weight.row(2)), w3).degrees < 1e-6)
        #expect(growth.clustering.assignment[NeuronReference(student: 0, neuron: 2)]?.neuron == 2)
        // Without w3 a third of every student's second-layer input is missing; with it, what is
        // left is the split pairs' curvature.
        #expect(growth.shareBefore > 0.05)
        #expect(growth.shareAfter < growth.shareBefore / 20)

        // A gain no candidate reaches leaves the clustering's layer.
        let none = try SpanGrowth(students: bank, losses: losses, layer: 0, sample: Self.sample, gain: 1e6)
            .grow(kept, spare: spare, views: byStudent, layerInputs: Self.sample, activation: .tanh)
        #expect(none.added.isEmpty && none.layer.outputs == 2 && none.shareAfter == none.shareBefore)
    }

    /// Six students that all hold w1, w2 and w3; students 0 and 1 share a fourth unit, the
    /// others each have one of their own, all read with `weight`. Students 0–2 are the better half.
    static func completeStudents(fourthWeight weight: Double) throws -> StudentBank<Double> {
        var random = RandomSource(seed: 43)
        let w = (0..<4).map { _ in random.unitVector(4).map { 1.5 * $0 } }
        return try StudentBank(students: (0..<6).map { s in
            let fourth = s < 2 ? w[3] : random.unitVector(4)
            return try Network(activation: .tanh, layers: [
                DenseLayer(weight: Matrix(rowArrays: Array(w.prefix(3)) + [fourth]), bias: [0.1, -0.3, 0.2, 0]),
                DenseLayer(weight: Matrix(rowArrays: [[1, -0.6, 0.8, weight], [0.4, 0.9, -0.7, weight]]), bias: [0, 0]),
                DenseLayer(weight: Matrix(rowArrays: [[1, 1]]), bias: [0]),
            ])
        })
    }

    @Test func aLayerThatLeavesAlmostNothingUnexplainedIsComplete() throws {
        let losses = [1e-7, 2e-7, 3e-7, 1e-5, 2e-5, 3e-5]
        for (weight, joins) in [(1.0, true), (0.02, false)] {
            let bank = try Self.completeStudents(fourthWeight: weight)
            let (byStudent, kept, spare) = try Self.clusters(bank, losses: losses)
            #expect(kept.recoveredWidth == 3 && spare.recoveredWidth == 4)
            let growth = try SpanGrowth(students: bank, losses: losses, layer: 0, sample: Self.sample, gain: 1.4)
                .grow(kept, spare: spare, views: byStudent, layerInputs: Self.sample, activation: .tanh)
            // Over the better half the shared unit explains everything left (two of three students):
            // it joins when that is much, not when the layer already explains 99% and more.
            #expect(growth.added.count == (joins ? 1 : 0), "fourth weight \(weight): share \(growth.shareBefore)")
            #expect(joins ? growth.shareBefore > 0.01 : growth.shareBefore < 1e-3)
        }
    }
}
