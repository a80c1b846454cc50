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
        #expect(final.removed.allSatisfy { $0.isEmpty }, "nothing to remove from the teacher's own neurons")
        let comparison = try NetworkComparison(teacher: teacher, recovered: final.network, freshInputs: Self.fresh)
        #expect(comparison.identified, "worst angle \(comparison.layers[0].incoming.worstDegrees)°")
    }

    @Test func sparesThatCannotMakeTheFitExactAreNotKept() throws {
        let teacher = try Self.teacher(width: 4)
        // Two teacher neurons missing and only one of them among the spares: no exact fit. The
        // loss given is the unpolished one, so that the spare with a polish brings it down more
        // than tenfold and is taken, and then has to be given back.
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

    /// A ReLU teacher's neuron 0 held as two units whose kinks lie on either side of the
    /// teacher's, in the gap between two neighbouring probe points, with outgoing weights that
    /// make them sum to the teacher's neuron on both sides: exact on the probe set. Either unit
    /// alone misses by a constant on one side of its kink, which no readout can make up for; only
    /// a re-polish after removing one moves the other's kink into the gap.
    @Test func twoReLUKinksInOneGapBecomeOneNeuronAfterRepolishing() throws {
        let teacher = try Network<Double>.toyTeacher(inputs: 3, hiddenWidths: [3], activation: .relu, seed: 23)
        let w = Array(teacher.layers[0].weight.row(0)), b = teacher.layers[0].bias[0], a = teacher.layers[1].weight[0, 0]
        let preactivations = (0..<Self.inputs.rows).map { r in zip(w, Self.inputs.row(r)).reduce(b) { $0 + $1.0 * $1.1 } }
        let below = preactivations.filter { $0 < 0 }.max()!, above = preactivations.filter { $0 > 0 }.min()!
        let (t1, t2) = (below / 2, above / 2)
        let pair = [(weight: w, bias: b - t1, outgoing: a * t2 / (t2 - t1)),
                    (weight: w, bias: b - t2, outgoing: -a * t1 / (t2 - t1))]
        let split = try Self.network(teacher, keeping: [1, 2], extra: pair)
        let loss = Self.relativeLoss(split, teacher)
        try #require(loss < ExactFitRefinement.exactLoss, "the pair is exact on the probe set (\(loss))")
        let single = try Self.network(teacher, keeping: [1, 2], extra: [(w, b - t1, a)])
        try #require(Self.relativeLoss(single, teacher) > 1e-7, "either unit alone is not")
        let final = try Self.refinement(for: teacher).eliminate(split, relativeLoss: loss)
        #expect(final.removed.count == 1 && final.removed[0].count == 1 && final.removed[0].allSatisfy { $0 >= 2 },
                "one of the pair: \(final.removed)")
        #expect(final.relativeLoss < ExactFitRefinement.exactLoss)
        let comparison = try NetworkComparison(teacher: teacher, recovered: final.network, freshInputs: Self.fresh)
        #expect(comparison.layers[0].recoveredWidth == 3)
        #expect(comparison.layers[0].incoming.worstDegrees < 1, "worst angle \(comparison.layers[0].incoming.worstDegrees)°")
    }

    /// A deep teacher whose first-layer neuron 0 is held twice, the next layer's weights on it
    /// split 0.6 : 0.4 between the copies: exact, one neuron too many in layer 1. Removing either
    /// copy leaves a misfit that only a re-polish of the whole network (the layer above
    /// re-fitted) makes exact again; no teacher neuron of either layer may go.
    /// A 3-4-3-1 teacher with its first-layer neuron 0 held twice, the outgoing weights split 0.6 : 0.4.
    static func deepTeacherWithADuplicate() throws -> (teacher: Network<Double>, duplicated: Network<Double>) {
        let teacher = try Network<Double>.toyTeacher(inputs: 3, hiddenWidths: [4, 3], activation: .tanh, seed: 24)
        var layers = teacher.layers
        let first = layers[0], second = layers[1]
        layers[0] = DenseLayer(weight: Matrix(rowArrays: (0..<4).map { Array(first.weight.row($0)) } + [Array(first.weight.row(0))]),
                               bias: first.bias + [first.bias[0]])
        layers[1] = DenseLayer(weight: Matrix(rowArrays: (0..<3).map { o in
            (0..<4).map { $0 == 0 ? 0.6 * second.weight[o, 0] : second.weight[o, $0] } + [0.4 * second.weight[o, 0]]
        }), bias: second.bias)
        return (teacher, try Network(activation: .tanh, layers: layers))
    }

    /// Checks that `eliminate` took exactly one of the two copies and left the teacher.
    static func expectOneCopyRemoved(by refinement: ExactFitRefinement) throws {
        let (teacher, duplicated) = try deepTeacherWithADuplicate()
        let loss = relativeLoss(duplicated, teacher)
        try #require(loss < 1e-28, "the split copies are exact (\(loss))")
        let final = try refinement.eliminate(duplicated, relativeLoss: loss)
        #expect(final.removed.count == 2 && final.removed[1].isEmpty, "\(final.removed)")
        #expect(final.removed[0] == [0] || final.removed[0] == [4], "one of the copies: \(final.removed)")
        #expect(final.relativeLoss < ExactFitRefinement.exactLoss)
        let comparison = try NetworkComparison(teacher: teacher, recovered: final.network, freshInputs: fresh)
        #expect(comparison.identified, "widths \(final.network.hiddenWidths)")
    }

    @Test func aDuplicateInTheFirstLayerOfADeepNetworkGoes() throws {
        try Self.expectOneCopyRemoved(by: Self.refinement(for: Self.deepTeacherWithADuplicate().teacher))
    }

    /// Without any re-polish too: the removal hands the copy's share of the next layer to its twin.
    @Test func aDuplicateGoesIntoItsTwinWithoutRepolishing() throws {
        let teacher = try Self.deepTeacherWithADuplicate().teacher
        let targets = teacher(Self.inputs)
        try Self.expectOneCopyRemoved(by: ExactFitRefinement(
            activation: .tanh, inputs: Self.inputs, targets: targets, sample: Self.inputs, sampleTargets: targets,
            tolerance: 1e-8, polish: { ($0, Self.relativeLoss($0, teacher)) }))
    }

    /// A deep network whose last hidden layer misses a teacher neuron: the spare (slightly off,
    /// its incoming weights over the first layer) goes into that layer and the fit is exact.
    @Test func aMissingNeuronOfTheLastHiddenLayerOfADeepNetworkIsAdded() throws {
        let teacher = try Self.deepTeacherWithADuplicate().teacher
        let second = teacher.layers[1], output = teacher.layers[2]
        let missing = try Network(activation: .tanh, layers: [
            teacher.layers[0],
            DenseLayer(weight: Matrix(rowArrays: [0, 1].map { Array(second.weight.row($0)) }), bias: [second.bias[0], second.bias[1]]),
            DenseLayer(weight: Matrix(rowArrays: [[output.weight[0, 0], output.weight[0, 1]]]), bias: output.bias),
        ])
        let loss = Self.relativeLoss(missing, teacher)
        try #require(loss > 1e-4, "the network without second-layer neuron 2 is far from exact (\(loss))")
        let spare = (weight: Self.perturbed(second.weight.row(2), by: 1e-3), bias: second.bias[2] + 1e-3)
        let grown = try Self.refinement(for: teacher).grow(missing, relativeLoss: loss, spares: [spare])
        #expect(grown.added == 1 && grown.network.hiddenWidths == [4, 3])
        #expect(grown.relativeLoss < ExactFitRefinement.exactLoss)
        let comparison = try NetworkComparison(teacher: teacher, recovered: grown.network, freshInputs: Self.fresh)
        #expect(comparison.identified, "worst angles \(comparison.layers.map(\.incoming.worstDegrees))°")
    }

    /// Three students of width 4 on a width-3 teacher: two miss a teacher neuron, one holds
    /// neuron 2 twice with its outgoing weight split 0.7 : 0.3 (exact). The fallback takes the
    /// exact one and reduces it to the teacher; with no exact student it gives nothing.
    @Test func theBestExactStudentIsReducedToTheTeacher() throws {
        let teacher = try Self.teacher(width: 3)
        let w = teacher.layers[0].weight, b = teacher.layers[0].bias, a = teacher.layers[1].weight
        let stranger = (weight: [0.3, -1.2, 0.8], bias: 0.4, outgoing: 0.5)
        func unit(_ j: Int, _ share: Double = 1) -> (weight: [Double], bias: Double, outgoing: Double) {
            (Array(w.row(j)), b[j], share * a[0, j])
        }
        let split = try Self.network(teacher, keeping: [0, 1], extra: [unit(2, 0.7), unit(2, 0.3)])
        let students = try StudentBank(students: [
            try Self.network(teacher, keeping: [0, 1], extra: [stranger, unit(0)]),
            split,
            try Self.network(teacher, keeping: [1, 2], extra: [stranger, unit(1)]),
        ])
        let losses = (0..<3).map { Self.relativeLoss(students.student($0), teacher) }
        try #require(losses[1] < 1e-28 && losses[0] > 1e-4 && losses[2] > 1e-4, "\(losses)")
        let refinement = Self.refinement(for: teacher)
        let reduced = try #require(try refinement.reduceBestStudent(of: students, relativeLosses: losses))
        #expect(reduced.reduction.student == 1 && reduced.reduction.widths == [4])
        #expect(reduced.reduction.removed == [[2]] || reduced.reduction.removed == [[3]], "\(reduced.reduction.removed)")
        let comparison = try NetworkComparison(teacher: teacher, recovered: reduced.network, freshInputs: Self.fresh)
        #expect(comparison.identified, "widths \(reduced.network.hiddenWidths)")
        #expect(try refinement.reduceBestStudent(of: students, relativeLosses: [losses[0], 1e-12, losses[2]]) == nil)
    }
}
