import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The clean-up after the final fine-tuning: a neuron that carries nothing goes, a fine-tuning
/// that silences another one starts a second round, the rounds stop when one removes nothing or
/// at the cap, and every removal is reported in the numbering of the network it started from.
struct NeuronPruningTests {
    static let sample: Matrix<Double> = randomMatrix(600, 3, seed: 61)
    static let rows: [[Double]] = [[1.2, -0.4, 0.3], [-0.2, 0.9, 0.8], [0.5, 0.6, -1.1], [0.7, -0.9, 0.2], [-1.0, 0.1, 0.6]]

    /// A 3-5-1 tanh network with the given outgoing weights.
    static func network(outgoing: [Double]) throws -> Network<Double> {
        try Network(activation: .tanh, layers: [
            DenseLayer(weight: Matrix(rowArrays: rows), bias: [0.1, -0.2, 0.3, 0.0, -0.1]),
            DenseLayer(weight: Matrix(rowArrays: [outgoing]), bias: [0.05]),
        ])
    }

    static func pruning(_ network: Network<Double>, duplicates: Double? = nil) -> NeuronPruning {
        NeuronPruning(sample: sample, sampleTargets: network(sample), negligibleFraction: 1e-3, duplicateCorrelation: duplicates)
    }

    /// A stand-in for a fine-tuning that silences the neuron whose incoming weights are
    /// `rows[silenced]`, wherever the earlier removals have moved it.
    static func silencing(_ network: Network<Double>, _ silenced: Int) throws -> Network<Double> {
        var layers = network.layers
        let position = (0..<layers[0].outputs).first { j in (0..<3).allSatisfy { layers[0].weight[j, $0] == rows[silenced][$0] } }!
        for o in 0..<layers[1].outputs { layers[1].weight[o, position] *= 1e-7 }
        return try Network(activation: network.activation, layers: layers)
    }

    /// The incoming weight rows of the first hidden layer.
    static func incoming(_ network: Network<Double>) -> [[Double]] {
        (0..<network.layers[0].outputs).map { j in (0..<3).map { network.layers[0].weight[j, $0] } }
    }

    @Test func aNeuronTheFineTuningSilencesGoesInTheNextRound() throws {
        let start = try Self.network(outgoing: [1.0, 0.8, 1e-6, -0.9, 0.7])
        var tuned = [Int]()
        let outcome = try Self.pruning(start).run(start, progress: { _ in }) { network, round in
            tuned.append(round)
            return round == 0 ? try Self.silencing(network, 3) : network
        }
        #expect(tuned == [0, 1], "round 0 removes neuron 2, round 1 the silenced neuron 3, round 2 nothing")
        #expect(outcome.rounds == 2)
        #expect(outcome.pruned == [[2, 3]], "numbered as in the starting network, not [[2, 2]]")
        #expect(Self.incoming(outcome.network) == [0, 1, 4].map { Self.rows[$0] })
    }

    @Test func nothingNegligibleMeansNoFineTuning() throws {
        let start = try Self.network(outgoing: [1.0, 0.8, 0.5, -0.9, 0.7])
        let outcome = try Self.pruning(start).run(start, progress: { _ in }) { _, _ in
            Issue.record("no neuron was removed, so nothing is fine-tuned")
            return start
        }
        #expect(outcome.rounds == 0 && outcome.pruned == [[]] && outcome.duplicates == [[]])
        #expect(outcome.network.layers == start.layers)
    }

    @Test func theRoundsStopAtTheCap() throws {
        let start = try Self.network(outgoing: [1.0, 0.8, 1e-6, -0.9, 0.7])
        var pruning = Self.pruning(start)
        pruning.maxRounds = 2
        // Every fine-tuning silences one more neuron: 3, then 4; neuron 1 would be next.
        let outcome = try pruning.run(start, progress: { _ in }) { network, round in try Self.silencing(network, [3, 4, 1][round]) }
        #expect(outcome.rounds == 2)
        #expect(outcome.pruned == [[2, 3]], "neuron 4, silenced by the last fine-tuning, is not looked at again")
        #expect(outcome.network.hiddenWidths == [3])
    }

    @Test func twinsAfterAPrunedNeuronAreNumberedFromTheStart() throws {
        // Neuron 4 becomes a twin of neuron 3 (1° apart, outgoing weight split); neuron 1 carries
        // nothing, so the twins are neurons 2 and 3 of the network the folding sees.
        var rows = Self.rows
        rows[4] = DuplicateFoldingTests.rotated(rows[3], degrees: 1)
        let start = try Network(activation: .tanh, layers: [
            DenseLayer(weight: Matrix(rowArrays: rows), bias: [0.1, -0.2, 0.3, 0.0, 0.0]),
            DenseLayer(weight: Matrix(rowArrays: [[1.0, 1e-6, 0.8, -0.6, -0.3]]), bias: [0.05]),
        ])
        var tuned = 0
        let outcome = try Self.pruning(start, duplicates: 0.99).run(start, progress: { _ in }) { network, _ in
            tuned += 1
            return network
        }
        #expect(outcome.pruned == [[1]])
        #expect(outcome.duplicates.count == 1 && outcome.duplicates[0].count == 1 && [3, 4].contains(outcome.duplicates[0][0]),
                "one of the twins 3 and 4 goes, got \(outcome.duplicates)")
        let kept = (0..<5).filter { !outcome.pruned[0].contains($0) && !outcome.duplicates[0].contains($0) }
        #expect((0..<3).map { j in (0..<3).map { outcome.network.layers[0].weight[j, $0] } } == kept.map { rows[$0] })
        #expect(tuned == 1, "the second round removes nothing")
    }
}
