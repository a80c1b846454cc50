import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// `ec compare` must not see the symmetries of the network: a permuted, flipped or rescaled
/// copy of a teacher is the teacher.
struct NetworkComparisonTests {
    /// Applies a permutation, sign flips and positive rescalings to hidden layer `l`, compensating
    /// in the next layer so that the function is unchanged (flips of even+linear neurons are
    /// compensated through the skip term, so only the last hidden layer may flip them).
    static func transform(_ net: Network<Double>, layer l: Int, permutation: [Int], flip: Set<Int>,
                          scale: [Double]) -> Network<Double> {
        var layers = net.layers
        var skip = net.skip
        let symmetry = net.activation.symmetry
        let (this, next) = (layers[l], layers[l + 1])
        var weight = Matrix<Double>(rows: this.outputs, columns: this.inputs), bias = [Double](repeating: 0, count: this.outputs)
        var nextWeight = Matrix<Double>(rows: next.outputs, columns: next.inputs), nextBias = next.bias
        for (newIndex, old) in permutation.enumerated() {
            let sign: Double = flip.contains(old) ? -1 : 1
            let c = scale[old]
            for i in 0..<this.inputs { weight[newIndex, i] = sign * c * this.weight[old, i] }
            bias[newIndex] = sign * c * this.bias[old]
            for j in 0..<next.outputs {
                let a = next.weight[j, old] / c
                switch symmetry {
                case .odd: nextWeight[j, newIndex] = sign * a
                case .oddConstant:
                    nextWeight[j, newIndex] = sign * a
                    if sign < 0 { nextBias[j] += a }
                default: nextWeight[j, newIndex] = a
                }
            }
            if sign < 0, symmetry == .evenLinear || symmetry == .evenLinearScaling {
                // σ(−z) = σ(z) − z·(1+α): put a·(1+α)·(w·x + b) back through the skip term.
                precondition(l == net.layers.count - 2 && l == 0, "even+linear flips only compensable into the input skip")
                let slope = net.activation == .leakyRelu ? 1 + Activation.leakySlope : 1
                var s = skip ?? DenseLayer(weight: Matrix(rows: next.outputs, columns: this.inputs), bias: [Double](repeating: 0, count: next.outputs))
                for j in 0..<next.outputs {
                    let a = next.weight[j, old] * slope
                    for i in 0..<this.inputs { s.weight[j, i] += a * this.weight[old, i] }
                    s.bias[j] += a * this.bias[old]
                }
                skip = s
            }
        }
        layers[l] = DenseLayer(weight: weight, bias: bias)
        layers[l + 1] = DenseLayer(weight: nextWeight, bias: nextBias)
        return try! Network(activation: net.activation, layers: layers, skip: skip)
    }

    static func randomTransform(_ net: Network<Double>, seed: UInt64, flips: Bool, scales: Bool) -> Network<Double> {
        var random = RandomSource(seed: seed)
        var out = net
        for l in 0..<net.layers.count - 1 {
            let width = net.layers[l].outputs
            let permutation = random.permutation(width).map(Int.init)
            let flip = flips ? Set((0..<width).filter { _ in random.nextUnit() < 0.5 }) : []
            let scale = (0..<width).map { _ in scales ? random.uniform(0.3, 3) : 1 }
            out = transform(out, layer: l, permutation: permutation, flip: flip, scale: scale)
        }
        return out
    }

    static let fresh: Matrix<Double> = randomMatrix(2000, 5, seed: 77)

    static func expectIdentical(_ teacher: Network<Double>, _ copy: Network<Double>) throws {
        let c = try NetworkComparison(teacher: teacher, recovered: copy, freshInputs: fresh)
        #expect(c.identified)
        #expect(c.relativeMSE < 1e-26, "relative MSE \(c.relativeMSE)")
        for layer in c.layers {
            #expect(layer.teacherWidth == layer.recoveredWidth && layer.excess.isEmpty)
            #expect(layer.incoming.worstDegrees < 1e-6, "layer \(layer.layer) incoming \(layer.incoming.worstDegrees)°")
            #expect(layer.outgoing.worstDegrees < 1e-6, "layer \(layer.layer) outgoing \(layer.outgoing.worstDegrees)°")
        }
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .g, .softplus, .relu, .leakyRelu])
    func symmetryTransformsLeaveTheComparisonUnchanged(_ activation: Activation) throws {
        let teacher = try Network.toyTeacher(inputs: 5, hiddenWidths: [6, 4, 3], outputs: 2, activation: activation, seed: 8)
        let symmetry = activation.symmetry
        for seed in 0..<3 as Range<UInt64> {
            let copy = Self.randomTransform(teacher, seed: seed,
                                            flips: symmetry == .odd || symmetry == .oddConstant,
                                            scales: symmetry.allowsPositiveScaling)
            #expect(maxRelativeError(copy(Self.fresh).scalars, teacher(Self.fresh).scalars, floor: 1) < 1e-12)
            try Self.expectIdentical(teacher, copy)
        }
    }

    @Test(arguments: [Activation.relu, .softplus])
    func evenLinearFlipsCompensatedBySkipAreTheTeacher(_ activation: Activation) throws {
        let teacher = try Network.toyTeacher(inputs: 5, hiddenWidths: [7], outputs: 2, activation: activation, seed: 3)
        let copy = Self.transform(teacher, layer: 0, permutation: [3, 0, 6, 1, 5, 2, 4], flip: [0, 4, 5],
                                  scale: activation == .relu ? [0.5, 2, 1, 3, 0.7, 1.5, 1] : Array(repeating: 1, count: 7))
        #expect(maxRelativeError(copy(Self.fresh).scalars, teacher(Self.fresh).scalars, floor: 1) < 1e-12)
        try Self.expectIdentical(teacher, copy)
    }

    @Test func perturbedAndWiderNetworksAreMeasured() throws {
        let teacher = try Network.toyTeacher(inputs: 5, hiddenWidths: [4], outputs: 1, activation: .tanh, seed: 2)
        // Rotate neuron 2's incoming vector by a known angle within the plane of two coordinates.
        var recovered = teacher
        let angle = 2.0 * .pi / 180
        let (a, b) = (recovered.layers[0].weight[2, 0], recovered.layers[0].weight[2, 1])
        recovered.layers[0].weight[2, 0] = a * cos(angle) - b * sin(angle)
        recovered.layers[0].weight[2, 1] = a * sin(angle) + b * cos(angle)
        // An extra neuron with zero output weight.
        var w = recovered.layers[0].weight.scalars + [0.3, -0.2, 0.1, 0.5, 0.4]
        recovered.layers[0] = DenseLayer(weight: Matrix(rows: 5, columns: 5, scalars: w), bias: recovered.layers[0].bias + [0.1])
        w = recovered.layers[1].weight.scalars + [0]
        recovered.layers[1] = DenseLayer(weight: Matrix(rows: 1, columns: 5, scalars: w), bias: recovered.layers[1].bias)
        let c = try NetworkComparison(teacher: teacher, recovered: try Network(activation: .tanh, layers: recovered.layers),
                                      freshInputs: Self.fresh)
        #expect(c.layers[0].recoveredWidth == 5 && c.layers[0].excess == [4])
        #expect(c.layers[0].overhead == 0.25)
        // The rotated incoming vector [w; b] has angle ≤ 2° (the bias is untouched), the others 0.
        let worst = c.layers[0].incoming.worstDegrees
        #expect(worst > 0.5 && worst < 2.0 + 1e-9)
        #expect(c.layers[0].matches.filter { $0.incomingDegrees > 1e-9 }.map(\.teacher) == [2])
        #expect(!c.identified)
        #expect(c.relativeMSE > 0)
    }

    @Test func mismatchedShapesAreRejected() throws {
        let a = try Network.toyTeacher(inputs: 5, hiddenWidths: [4], activation: .tanh, seed: 1)
        let b = try Network.toyTeacher(inputs: 5, hiddenWidths: [4, 4], activation: .tanh, seed: 1)
        #expect(throws: ECError.self) { try NetworkComparison(teacher: a, recovered: b, freshInputs: Self.fresh) }
    }
}
