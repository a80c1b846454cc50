import ECCore
import Foundation
import Testing

struct ActivationTests {
    static let points: [Double] = stride(from: -6.0, through: 6.0, by: 0.173).map { $0 } + [-30, -12.5, 11.25, 35]

    /// Plain float64 formulas written from the definitions, with libm.
    static func reference(_ activation: Activation, _ z: Double) -> Double {
        let softplus = z > 30 ? z : log(1 + exp(z))
        let sigmoid = 1 / (1 + exp(-z))
        switch activation {
        case .relu: return max(z, 0)
        case .leakyRelu: return z > 0 ? z : 0.01 * z
        case .tanh: return tanh(z)
        case .sigmoid: return sigmoid
        case .softplus: return softplus
        case .gelu: return z * 0.5 * (1 + erf(z / 2.0.squareRoot()))
        case .silu: return z * sigmoid
        case .g: return 1 / (1 + exp(-4 * z)) + softplus
        case .identity: return z
        }
    }

    @Test(arguments: Activation.allCases)
    func valueMatchesDefinition(_ activation: Activation) {
        for z in Self.points {
            let expected = Self.reference(activation, z)
            let got = activation.value(z)
            #expect(abs(got - expected) <= 4e-16 * max(1, abs(expected)), "\(activation) at \(z): \(got) vs \(expected)")
            let gotFloat = activation.value(Float(z))
            #expect(abs(Double(gotFloat) - Double(activation.value(Double(Float(z))))) <= 4e-7 * max(1, abs(expected)))
        }
    }

    @Test(arguments: Activation.allCases)
    func derivativeMatchesFiniteDifferences(_ activation: Activation) {
        let h = 1e-6
        for z in Self.points where abs(z) > 1e-3 {   // away from the ReLU kink
            let numeric = (activation.value(z + h) - activation.value(z - h)) / (2 * h)
            let analytic = activation.derivative(z)
            #expect(abs(numeric - analytic) <= 1e-8 * max(1, abs(analytic)), "\(activation) at \(z): \(analytic) vs \(numeric)")
        }
    }

    @Test(arguments: Activation.allCases)
    func symmetryClassIdentityHolds(_ activation: Activation) {
        for z in Self.points {
            let plus = activation.value(z), minus = activation.value(-z)
            switch activation.symmetry {
            case .odd: #expect(abs(plus + minus) <= 1e-15 * max(1, abs(plus)))
            case .oddConstant: #expect(abs(plus + minus - 1) <= 1e-15)
            case .evenLinear: #expect(abs(plus - minus - z) <= 1e-14 * max(1, abs(z)))
            case .evenLinearScaling:
                let slope = activation == .leakyRelu ? 1 + Activation.leakySlope : 1
                #expect(abs(plus - minus - slope * z) <= 1e-14 * max(1, abs(z)))
                #expect(abs(activation.value(3.5 * z) - 3.5 * plus) <= 1e-14 * max(1, abs(plus)))
            case .none:
                // g has no symmetry: neither odd nor even+linear holds.
                #expect(abs(plus + minus) > 1e-3 || abs(plus - minus - z) > 1e-3 || z == 0)
            }
        }
    }

    @Test func bufferApplicationMatchesScalar() {
        for activation in Activation.allCases {
            var values = Self.points
            var derivatives = [Double](repeating: 0, count: values.count)
            values.withUnsafeMutableBufferPointer { v in
                derivatives.withUnsafeMutableBufferPointer { activation.apply(to: v, derivatives: $0) }
            }
            #expect(values == Self.points.map(activation.value))
            #expect(derivatives == Self.points.map(activation.derivative))
        }
    }

    @Test func parsesNamesAndRejectsUnknown() throws {
        #expect(try Activation(name: "G") == .g)
        #expect(try Activation(name: "leaky_relu") == .leakyRelu)
        #expect(try Activation(name: "swish") == .silu)
        #expect(throws: ECError.self) { try Activation(name: "relu6") }
        do { _ = try Activation(name: "relu6") } catch { #expect("\(error)".contains("unknown activation 'relu6'")) }
    }
}
