import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// A teacher neuron held as two units 2° apart, its outgoing weight split between them, is
/// folded back into one neuron, in the last hidden layer and in an earlier one; distinct neurons,
/// even well correlated ones, stay.
struct DuplicateFoldingTests {
    static let sample: Matrix<Double> = randomMatrix(1000, 3, seed: 51)

    /// `w` rotated by `degrees` towards a fixed direction orthogonal to it.
    static func rotated(_ w: [Double], degrees: Double) -> [Double] {
        let r = [0.3, -0.8, 0.5], along = zip(r, w).reduce(0) { $0 + $1.0 * $1.1 } / zip(w, w).reduce(0) { $0 + $1.0 * $1.1 }
        let orthogonal = zip(r, w).map { $0 - along * $1 }
        let scale = w.euclideanNorm / orthogonal.euclideanNorm * tan(degrees * .pi / 180)
        return zip(w, orthogonal).map { $0 + scale * $1 }
    }

    static let first: [[Double]] = [[1.2, -0.4, 0.3], [-0.2, 0.9, 0.8], [0.5, 0.6, -1.1]]

    /// A 3-4-1 tanh network whose hidden neurons 1 and 3 are twins (2° apart, outgoing 0.7 : 0.3
    /// of one weight), or with neuron 3 a distinct neuron correlated with neuron 0 at about 0.9.
    static func network(twins: Bool) throws -> Network<Double> {
        let fourth = twins ? rotated(first[1], degrees: 2) : rotated(first[0], degrees: 25)
        return try Network(activation: .tanh, layers: [
            DenseLayer(weight: Matrix(rowArrays: first + [fourth]), bias: [0.1, -0.2, 0.3, twins ? -0.2 : 0.1]),
            DenseLayer(weight: Matrix(rowArrays: [[1.0, 0.7 * 1.5, -0.8, twins ? 0.3 * 1.5 : 0.6]]), bias: [0.05]),
        ])
    }

    @Test func twinsInTheLastHiddenLayerBecomeOne() throws {
        let network = try Self.network(twins: true), targets = network(Self.sample)
        let folded = try DuplicateFolding.fold(network, sample: Self.sample, sampleTargets: targets, correlation: 0.99)
        #expect(folded.removed.count == 1 && folded.removed[0].count == 1)
        #expect(folded.removed[0].first.map { [1, 3].contains($0) } == true, "one of the twins goes")
        #expect(folded.network.hiddenWidths == [3])
        // The twin that stays carries both outgoing weights: the function barely changes.
        let change = folded.network(Self.sample).meanSquaredDifference(to: targets) / targets.pooledVariance
        #expect(change < 1e-4)
        let outgoing = folded.network.layers[1].weight.scalars
        #expect(outgoing.contains { abs($0 - 1.5) < 0.05 }, "the twins' weights 1.05 + 0.45 are summed, got \(outgoing)")
    }

    @Test func distinctNeuronsStay() throws {
        let network = try Self.network(twins: false), targets = network(Self.sample)
        let activations = network.hiddenActivations(Self.sample)[0]
        // The check must be able to fail: this pair is well correlated, only not near 1.
        let columns = [0, 3].map { j in (0..<activations.rows).map { activations[$0, j] } }
        #expect(abs(correlation(columns[0], columns[1])) > 0.8)
        let folded = try DuplicateFolding.fold(network, sample: Self.sample, sampleTargets: targets, correlation: 0.99)
        #expect(folded.removed == [[]])
        #expect(folded.network.layers == network.layers)
    }

    @Test func twinsInAnEarlierLayerGoIntoTheNextLayer() throws {
        let shallow = try Self.network(twins: true)
        let deep = try Network(activation: .tanh, layers: [
            shallow.layers[0],
            DenseLayer(weight: Matrix(rowArrays: [[0.9, 0.7 * 1.2, -0.5, 0.3 * 1.2], [-0.4, 0.6 * 0.8, 1.1, 0.4 * 0.8]]), bias: [0, 0.2]),
            DenseLayer(weight: Matrix(rowArrays: [[1.0, -0.7]]), bias: [0]),
        ])
        let targets = deep(Self.sample)
        let folded = try DuplicateFolding.fold(deep, sample: Self.sample, sampleTargets: targets, correlation: 0.99)
        #expect(folded.network.hiddenWidths == [3, 2])
        #expect(folded.removed[1].isEmpty)
        #expect(folded.network(Self.sample).meanSquaredDifference(to: targets) / targets.pooledVariance < 1e-4)
    }

    private func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        let ab = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
        let aa = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, bb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
        return ab / (aa * bb).squareRoot()
    }
}
