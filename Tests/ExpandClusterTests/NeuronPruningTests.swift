import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The clean-up after the final fine-tuning: a neuron that carries nothing goes, a fine-tuning
/// that silences another one starts a second round, the rounds stop when one removes nothing or
/// at the cap, and every removal is reported in the numbering of the network it started from; a
/// neuron the network fits as well without goes, unless the network fits badly.
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

    static func pruning(_ network: Network<Double>, targets: Matrix<Double>? = nil, duplicates: Double? = nil,
                        removalLossFactor: Double? = nil) -> NeuronPruning {
        NeuronPruning(sample: sample, sampleTargets: targets ?? network(sample), negligibleFraction: 1e-3,
                      duplicateCorrelation: duplicates, removalLossFactor: removalLossFactor)
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

    /// The teacher's four neurons and a fifth with a small outgoing weight (0.02: above the
    /// negligible contribution, so only the loss can show it is not needed).
    static func teacherAndExtra() throws -> (teacher: Network<Double>, network: Network<Double>) {
        let teacher = try Network(activation: .tanh, layers: [
            DenseLayer(weight: Matrix(rowArrays: Array(rows.prefix(4))), bias: [0.1, -0.2, 0.3, 0.0]),
            DenseLayer(weight: Matrix(rowArrays: [[1.0, 0.8, 0.5, -0.9]]), bias: [0.05]),
        ])
        return (teacher, try network(outgoing: [1.0, 0.8, 0.5, -0.9, 0.02]))
    }

    @Test func aNeuronTheNetworkFitsAsWellWithoutGoes() throws {
        let (teacher, network) = try Self.teacherAndExtra()
        let targets = teacher(Self.sample)
        var tuned = 0
        let outcome = try Self.pruning(network, targets: targets, removalLossFactor: 10).run(network, progress: { _ in }) { network, _ in
            tuned += 1
            return network
        }
        #expect(outcome.pruned == [[]], "the extra neuron is not negligible by its contribution")
        #expect(outcome.unneeded == [[4]])
        #expect(outcome.network(Self.sample).meanSquaredDifference(to: targets) / targets.pooledVariance < 1e-20)
        #expect(tuned == 1, "the teacher itself, fine-tuned, loses nothing more")
        // Off, the extra neuron stays.
        let kept = try Self.pruning(network, targets: targets).run(network, progress: { _ in }) { network, _ in network }
        #expect(kept.network.hiddenWidths == [5])
    }

    @Test func aNetworkThatFitsBadlyKeepsItsNeurons() throws {
        let (teacher, network) = try Self.teacherAndExtra()
        // Something no tanh neuron of these computes: every network here fits it to about 1e-2.
        var targets = teacher(Self.sample)
        for r in 0..<targets.rows { targets[r, 0] += 0.15 * sin(3 * Self.sample[r, 0]) * cos(2 * Self.sample[r, 1]) }
        let loss = network(Self.sample).meanSquaredDifference(to: targets) / targets.pooledVariance
        #expect(loss > 1e-3 && loss < 1e-1, "the extra neuron's cost is far below 10 × \(loss): only the 1e-4 cap keeps it")
        let outcome = try Self.pruning(network, targets: targets, removalLossFactor: 10).run(network, progress: { _ in }) { network, _ in network }
        #expect(outcome.unneeded == [[]])
        #expect(outcome.network.hiddenWidths == [5])
    }

    @Test func aFaintNeuronOfAnExactFitStays() throws {
        // The same fifth neuron, now part of the function: leaving it out would cost less than the
        // 1e-4 cap, but far more than the nothing this network loses.
        let network = try Self.teacherAndExtra().network
        let outcome = try Self.pruning(network, removalLossFactor: 10).run(network, progress: { _ in }) { network, _ in network }
        #expect(outcome.unneeded == [[]] && outcome.rounds == 0)
    }
}
