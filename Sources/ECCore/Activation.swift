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

    /// σ(z) and σ′(z) together, sharing the exponentials.
    @inlinable @inline(__always)
    public func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
        switch self {
        case .relu: ReLU.valueAndDerivative(z)
        case .leakyRelu: LeakyReLU.valueAndDerivative(z)
        case .tanh: Tanh.valueAndDerivative(z)
        case .sigmoid: Sigmoid.valueAndDerivative(z)
        case .softplus: Softplus.valueAndDerivative(z)
        case .gelu: GELU.valueAndDerivative(z)
        case .silu: SiLU.valueAndDerivative(z)
        case .g: G.valueAndDerivative(z)
        case .identity: Identity.valueAndDerivative(z)
        }
    }
}
