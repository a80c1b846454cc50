/// How an activation's own symmetry lets different parameters give the same function; this
/// decides sign handling in clustering and comparison, and whether the recovered network needs an
/// affine skip term (see docs: "Activation symmetry classes").
public enum SymmetryClass: String, Sendable, Codable, CaseIterable {
    /// σ(−z) = −σ(z): tanh, identity.
    case odd
    /// σ(−z) = 1 − σ(z): sigmoid. A flip moves a constant into the next layer's bias.
    case oddConstant = "odd+constant"
    /// σ(z) − σ(−z) = z: softplus, GELU, SiLU. Opposite pairs act as a linear map.
    case evenLinear = "even+linear"
    /// As even+linear, and σ(cz) = cσ(z) for c > 0: ReLU, leaky ReLU.
    case evenLinearScaling = "even+linear, positive scaling"
    /// No symmetry: the paper's g.
    case none

    /// Whether θ and −θ describe the same neuron up to an outgoing-weight change: incoming vectors
    /// are compared up to sign.
    public var allowsSignFlip: Bool { self != .none }

    /// Whether an incoming vector and its positive multiples describe the same neuron: incoming
    /// vectors are scaled to unit norm before clustering.
    public var allowsPositiveScaling: Bool { self == .evenLinearScaling }

    /// Whether the recovered network needs an explicit affine skip term x ↦ Φx + c.
    public var needsAffineSkip: Bool { self == .evenLinear || self == .evenLinearScaling }
}
