import ECCore
import ECEngine
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The exact-fit refinement adds a teacher neuron that the clusters missed, keeps nothing when
/// the additions cannot make the fit exact, and removes a neuron that only a re-polished network
/// can do without; each checked against the teacher by `NetworkComparison`.
struct ExactFitRefinementTests {
    static let inputs: Matrix<Double> = randomMatrix(1500, 3, seed: 21)
    static let fresh: Matrix<Double> = randomMatrix(500, 3, seed: 22)

    static func teacher(width: Int) throws -> Network<Double> {
        try Network<Double>.toyTeacher(inputs: 3, hiddenWidths: [width], activation: .tanh, seed: 23)
    }

    static func refinement(for teacher: Network<Double>) -> ExactFitRefinement {
        let targets = teacher(inputs)
        let polisher = LevenbergMarquardt(options: .init())
        return ExactFitRefinement(
            activation: teacher.activation, inputs: inputs, targets: targets, sample: inputs, sampleTargets: targets,
            tolerance: 1e-8,
            polish: { network in
                let polished = try polisher.polish(StudentBank(students: [network]), inputs: inputs, targets: targets).bank.student(0)
                return (polished, polished(inputs).meanSquaredDifference(to: targets) / targets.pooledVariance)
            })
    }

    /// `network`'s hidden neurons `rows` (with their outgoing weights) and any `extra` neurons
    /// (incoming vector, bias, outgoing weight).
    static func network(_ network: Network<Double>, keeping rows: [Int],
                        extra: [(weight: [Double], bias: Double, outgoing: Double)] = []) throws -> Network<Double> {
        let hidden = network.layers[0], output = network.layers[1]
        return try Network(activation: network.activation, layers: [
            DenseLayer(weight: Matrix(rowArrays: rows.map { Array(hidden.weight.row($0)) } + extra.map(\.weight)),
                       bias: rows.map { hidden.bias[$0] } + extra.map(\.bias)),
            DenseLayer(weight: Matrix(rowArrays: [rows.map { output.weight[0, $0] } + extra.map(\.outgoing)]), bias: output.bias),
        ])
    }

    static func relativeLoss(_ network: Network<Double>, _ teacher: Network<Double>) -> Double {
        let targets = teacher(inputs)
        return network(inputs).meanSquaredDifference(to: targets) / targets.pooledVariance
    }

    static func perturbed(_ vector: ArraySlice<Double>, by amount: Double) -> [Double] {
        vector.enumerated().map { $0.element * (1 + amount * Double($0.offset + 1)) }
    }

    @Test func aMissingNeuronFromTheSparesMakesTheFitExact() throws {
        let teacher = try Self.teacher(width: 3)
        let missing = try Self.network(teacher, keeping: [0, 1])
        let loss = Self.relativeLoss(missing, teacher)
        try #require(loss > 1e-4, "the network without neuron 2 is far from exact")
        let spare = (weight: Self.perturbed(teacher.layers[0].weight.row(2), by: 1e-3), bias: teacher.layers[0].bias[2] + 1e-3)
        let refinement = Self.refinement(for: teacher)
        let grown = try refinement.grow(missing, relativeLoss: loss, spares: [spare])
        #expect(grown.added == 1)
        #expect(grown.relativeLoss < ExactFitRefinement.exactLoss)
        let final = try refinement.eliminate(grown.network, relativeLoss: grown.relativeLoss)
        #expect(final.removed.isEmpty, "nothing to remove from the teacher's own neurons")
        let comparison = try NetworkComparison(teacher: teacher, recovered: final.network, freshInputs: Self.fresh)
        #expect(comparison.identified, "worst angle \(comparison.layers[0].incoming.worstDegrees)°")
    }

    @Test func sparesThatCannotMakeTheFitExactAreNotKept() throws {
        let teacher = try Self.teacher(width: 4)
        // Two teacher neurons missing and only one of them among the spares: no exact fit.
        let missing = try Self.network(teacher, keeping: [2, 3])
        let loss = Self.relativeLoss(missing, teacher)
        let spare = (weight: Array(teacher.layers[0].weight.row(0)), bias: teacher.layers[0].bias[0])
        let grown = try Self.refinement(for: teacher).grow(missing, relativeLoss: loss, spares: [spare])
        #expect(grown.added == 0)
        #expect(grown.relativeLoss == loss)
        #expect(grown.network.layers[0].weight.scalars == missing.layers[0].weight.scalars)
    }

    @Test func anExactNetworkIsNotGrown() throws {
        let teacher = try Self.teacher(width: 3)
        let spare = (weight: [1.0, 0, 0], bias: 0.5)
        let grown = try Self.refinement(for: teacher).grow(teacher, relativeLoss: 0, spares: [spare])
        #expect(grown.added == 0 && grown.network.layers[0].outputs == 3)
    }

    /// Neuron 0 held as two units whose incoming vectors straddle the teacher's (w ± εδ), each
    /// with half the outgoing weight: together exact to second order in ε, while either one
    /// alone misses by first order, more than the readout can make up for. Only a re-polish
    /// after removing one moves the other onto the teacher's neuron.
    @Test func aStraddlingPairBecomesOneNeuronAfterRepolishing() throws {
        let teacher = try Self.teacher(width: 3)
        let w = teacher.layers[0].weight.row(0), b = teacher.layers[0].bias[0], a = teacher.layers[1].weight[0, 0]
        let delta = [0.6, -0.3, 0.5], epsilon = 2e-3
        let pair = [1.0, -1.0].map { sign in
            (weight: zip(w, delta).map { $0 + sign * epsilon * $1 }, bias: b, outgoing: a / 2)
        }
        let split = try Self.network(teacher, keeping: [1, 2], extra: pair)
        let loss = Self.relativeLoss(split, teacher)
        try #require(loss < 1e-8, "the pair is exact to second order (\(loss))")
        let single = try Self.network(teacher, keeping: [1, 2], extra: [(pair[0].weight, b, a)])
        try #require(Self.relativeLoss(single, teacher) > 1e-7, "either unit alone is not")
        let final = try Self.refinement(for: teacher).eliminate(split, relativeLoss: loss)
        #expect(final.removed.count == 1 && final.removed.allSatisfy { $0 >= 2 }, "one of the pair: \(final.removed)")
        #expect(final.relativeLoss < ExactFitRefinement.exactLoss)
        let comparison = try NetworkComparison(teacher: teacher, recovered: final.network, freshInputs: Self.fresh)
        #expect(comparison.identified, "worst angle \(comparison.layers[0].incoming.worstDegrees)°")
    }
}
