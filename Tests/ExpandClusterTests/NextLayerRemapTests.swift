import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The students' next layer rewritten over a reconstructed layer (deep runs, before the
/// fine-tuning after each layer).
struct NextLayerRemapTests {
    static let sample: Matrix<Double> = randomMatrix(600, 3, seed: 51)

    /// What a student's next layer receives over `inputs`: its bias plus every unit's output.
    static func received(incoming: Matrix<Double>, bias: [Double], next: DenseLayer<Double>,
                         inputs: Matrix<Double>) throws -> Matrix<Double> {
        let stack = try Network(activation: .tanh, layers: [DenseLayer(weight: incoming, bias: bias), next])
        return stack(inputs)
    }

    /// A student holding neuron 1 as one unit, neuron 2 split into two equal halves, and a dead
    /// unit (w = 0) that hands on the constant tanh(0.4): the remap is exact and hand-computable.
    @Test func exactCopiesSplitsAndConstantsAreCarried() throws {
        let w1 = [1.2, -0.4, 0.3], w2 = [-0.2, 0.9, 0.7], b = [0.1, -0.5]
        let w = Matrix<Double>(rowArrays: [w1, w2])
        let incoming = Matrix<Double>(rowArrays: [w1, w2, w2, [0, 0, 0]])
        let outgoing = Matrix<Double>(rowArrays: [[0.8, 0.25, 0.25, 0.3], [-1.1, 0.6, 0.6, -0.5]])
        let view = StudentLayerView(student: 0, incoming: incoming, bias: b + [b[1], 0.4], outgoing: outgoing,
                                    contributions: [1, 1, 1, 0])
        var features = Self.sample.multipliedByTranspose(of: w)
        for r in 0..<features.rows { for k in 0..<2 { features[r, k] = tanh(features[r, k] + b[k]) } }
        let remapped = try Reconstruction.remapNextLayer(view, nextBias: [0.2, -0.1], features: features,
                                                         inputs: Self.sample, activation: .tanh)
        let expected: [[Double]] = [[0.8, 0.5], [-1.1, 1.2]]
        for o in 0..<2 { for k in 0..<2 { #expect(abs(remapped.weight[o, k] - expected[o][k]) < 1e-9) } }
        #expect(abs(remapped.bias[0] - (0.2 + 0.3 * tanh(0.4))) < 1e-9)
        #expect(abs(remapped.bias[1] - (-0.1 - 0.5 * tanh(0.4))) < 1e-9)
    }

    /// A student whose units for a neuron sit 9.5° either side of it (a neuron no cluster of
    /// theirs holds, as after span growth): the remap still hands it on with about the weight
    /// the pair carries, and the student's next layer receives nearly what it did.
    @Test func unitsInNoClusterStillHandOnTheirNeuron() throws {
        let w = [1.2, -0.4, 0.3], b = 0.1
        let norm = w.euclideanNorm, u = [0.4, 1.2, 0].map { $0 / 1.2649110640673518 }   // ⊥ w, unit
        let pair = [zip(w, u).map { $0 + 0.167 * norm * $1 }, zip(w, u).map { $0 - 0.167 * norm * $1 }]
        let incoming = Matrix<Double>(rowArrays: pair), outgoing = Matrix<Double>(rowArrays: [[0.45, 0.45]])
        let view = StudentLayerView(student: 0, incoming: incoming, bias: [b, b], outgoing: outgoing, contributions: [1, 1])
        let features = Matrix<Double>(rows: Self.sample.rows, columns: 1,
                                      scalars: Self.sample.multipliedByTranspose(of: Matrix(rowArrays: [w])).scalars.map { tanh($0 + b) })
        let remapped = try Reconstruction.remapNextLayer(view, nextBias: [0], features: features, inputs: Self.sample,
                                                         activation: .tanh)
        #expect(abs(remapped.weight[0, 0] - 0.9) < 0.03, "the pair's weight, 0.9 for exact copies: \(remapped.weight[0, 0])")
        let before = try Self.received(incoming: incoming, bias: [b, b], next: DenseLayer(weight: outgoing, bias: [0]),
                                       inputs: Self.sample)
        var after = features.multipliedByTranspose(of: remapped.weight)
        for r in 0..<after.rows { after[r, 0] += remapped.bias[0] }
        let miss = zip(before.scalars, after.scalars).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let mean = before.scalars.reduce(0, +) / Double(before.rows)
        let spread = before.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        #expect(miss < 2e-3 * spread, "share missed \(miss / spread)")
    }
}
