import ECCore
import ExpandCluster
import Testing
import TestSupport

/// The neuron fit recovers a teacher neuron from the units a student split it into: exact copies
/// with their outgoing weights shared out (one of them sign-flipped), and two units either side of
/// it, which Levenberg–Marquardt has to move to the neuron between them.
struct NeuronFitTests {
    static let inputs: Matrix<Double> = randomMatrix(400, 3, seed: 51)
    static let w = [0.8, -0.5, 0.3], b = 0.2, a = [1.5, -0.7]

    /// The fitted neuron in the sign of `w` (tanh is odd: −w, −b, −a is the same neuron).
    static func oriented(_ fitted: NeuronFit.Fitted) -> (weight: [Double], bias: Double, outgoing: [Double]) {
        let sign = zip(fitted.weight, w).reduce(0) { $0 + $1.0 * $1.1 } < 0 ? -1.0 : 1.0
        return (fitted.weight.map { sign * $0 }, sign * fitted.bias, fitted.outgoing.map { sign * $0 })
    }

    @Test func aSplitCopyOfOneNeuronGivesThatNeuronBack() {
        let members = [
            NeuronFit.Member(weight: Self.w, bias: Self.b, outgoing: Self.a.map { 0.3 * $0 }),
            NeuronFit.Member(weight: Self.w, bias: Self.b, outgoing: Self.a.map { 0.4 * $0 }),
            NeuronFit.Member(weight: Self.w.map { -$0 }, bias: -Self.b, outgoing: Self.a.map { -0.3 * $0 }),
        ]
        let fitted = NeuronFit.fit(members, inputs: Self.inputs, activation: .tanh)
        let neuron = Self.oriented(fitted)
        #expect(fitted.relativeResidual < 1e-24)
        #expect(maxRelativeError(neuron.weight, Self.w) < 1e-10)
        #expect(abs(neuron.bias - Self.b) < 1e-10)
        #expect(maxRelativeError(neuron.outgoing, Self.a) < 1e-10)
        #expect(fitted.offset.allSatisfy { abs($0) < 1e-10 })
    }

    @Test func unitsEitherSideOfANeuronAreFittedByTheNeuronBetween() {
        let members = [
            NeuronFit.Member(weight: Self.w.map { 1.04 * $0 }, bias: Self.b + 0.02, outgoing: Self.a.map { 0.5 * $0 }),
            NeuronFit.Member(weight: Self.w.map { 0.96 * $0 }, bias: Self.b - 0.02, outgoing: Self.a.map { 0.5 * $0 }),
        ]
        let fitted = NeuronFit.fit(members, inputs: Self.inputs, activation: .tanh)
        let neuron = Self.oriented(fitted)
        // The sum is no single tanh, but one within 1e-6 of it; the fit leaves the starting
        // units' parameters for the neuron between them.
        #expect(fitted.relativeResidual < 1e-6)
        #expect(maxRelativeError(neuron.weight, Self.w) < 5e-3)
        #expect(abs(neuron.bias - Self.b) < 5e-3)
        #expect(maxRelativeError(neuron.outgoing, Self.a) < 5e-3)
    }
}
