import Foundation

/// The hidden-layer nonlinearities a teacher can use. Each knows its value, its derivative and
/// its symmetry class; the formulas are written so that they neither overflow nor lose relative
/// precision in the tails.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case relu
    case leakyRelu = "leaky-relu"
    case tanh
    case sigmoid
    case softplus
    case gelu
    case silu
    /// g(z) = sigmoid(4z) + softplus(z), the paper's activation without symmetry.
    case g
    case identity

    /// Slope of leaky ReLU for z < 0 (PyTorch's default).
    public static let leakySlope = 0.01

    /// Parses a name as written on the command line or in a file's metadata; accepts a few
    /// common spellings ("leaky_relu", "swish", "linear").
    public init(name: String) throws {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
        let aliases: [String: Activation] = ["leakyrelu": .leakyRelu, "swish": .silu, "linear": .identity]
        guard let activation = Activation(rawValue: key) ?? aliases[key.replacingOccurrences(of: "-", with: "")] else {
            let known = Activation.allCases.map(\.rawValue).joined(separator: ", ")
            throw ECError.invalidArgument("unknown activation '\(name)' (known: \(known))")
        }
        self = activation
    }

    public var symmetry: SymmetryClass {
        switch self {
        case .tanh, .identity: .odd
        case .sigmoid: .oddConstant
        case .softplus, .gelu, .silu: .evenLinear
        case .relu, .leakyRelu: .evenLinearScaling
        case .g: .none
        }
    }

    /// σ(z).
    @inlinable @inline(__always)
    public func value<T: Real>(_ z: T) -> T {
        valueAndDerivative(z).value
    }

    /// σ′(z).
    @inlinable @inline(__always)
    public func derivative<T: Real>(_ z: T) -> T {
        valueAndDerivative(z).derivative
    }

    /// σ(z) and σ′(z) together, sharing the exponentials. Branch-free selects only, so that a loop
    /// over it vectorises once the activation is fixed outside the loop.
    @inlinable @inline(__always)
    public func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
        switch self {
        case .relu:
            return (z > 0 ? z : 0, z > 0 ? 1 : 0)
        case .leakyRelu:
            let slope = T(Activation.leakySlope)
            return (z > 0 ? z : slope * z, z > 0 ? 1 : slope)
        case .tanh:
            let t = T.tanh(z)
            return (t, 1 - t * t)
        case .sigmoid:
            // σ(1 − σ) = e·s² with e = exp(−|z|), s = 1/(1 + e): no cancellation in the tails.
            let e = T.exp(-Swift.abs(z))
            let s = 1 / (1 + e)
            return (z >= 0 ? s : e * s, e * s * s)
        case .softplus:
            let e = T.exp(-Swift.abs(z))
            let s = 1 / (1 + e)
            return (Swift.max(z, 0) + T.log1p(e), z >= 0 ? s : e * s)
        case .gelu:
            let phi = T(0.5) * (1 + T.erf(z * T(0.70710678118654752440)))
            let density = T.exp(T(-0.5) * z * z) * T(0.39894228040143267794)
            return (z * phi, phi + z * density)
        case .silu:
            let s = T.sigmoid(z)
            return (z * s, s + z * s * (1 - s))
        case .g:
            // One exponential serves both terms: e = exp(−|z|), and exp(−4|z|) = e⁴.
            let e = T.exp(-Swift.abs(z))
            let e2 = e * e
            let e4 = e2 * e2
            let s = 1 / (1 + e)
            let sig = z >= 0 ? s : e * s
            let s4 = 1 / (1 + e4)
            let sig4 = z >= 0 ? s4 : e4 * s4
            let value = sig4 + Swift.max(z, 0) + T.log1p(e)
            return (value, 4 * e4 * s4 * s4 + sig)
        case .identity:
            return (z, 1)
        }
    }
}
