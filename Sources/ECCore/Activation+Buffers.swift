/// A computation over buffers that is generic in the activation; `Activation.dispatch` runs it
/// with the activation's type, so each activation gets its own specialised, vectorised loop.
public protocol ActivationLoop {
    func run<F: ActivationFunction>(_ function: F.Type)
}

extension Activation {
    @inlinable @inline(__always)
    public func dispatch<L: ActivationLoop>(_ loop: L) {
        switch self {
        case .relu: loop.run(ReLU.self)
        case .leakyRelu: loop.run(LeakyReLU.self)
        case .tanh: loop.run(Tanh.self)
        case .sigmoid: loop.run(Sigmoid.self)
        case .softplus: loop.run(Softplus.self)
        case .gelu: loop.run(GELU.self)
        case .silu: loop.run(SiLU.self)
        case .g: loop.run(G.self)
        case .identity: loop.run(Identity.self)
        }
    }

    /// Replaces each pre-activation z in `values` by σ(z), and writes σ′(z) to `derivatives` if given.
    @inlinable
    public func apply<T: Real>(to values: UnsafeMutableBufferPointer<T>,
                               derivatives: UnsafeMutableBufferPointer<T>? = nil) {
        precondition((derivatives?.count ?? values.count) >= values.count)
        dispatch(ElementwiseActivation(values: values.baseAddress, derivatives: derivatives?.baseAddress,
                                       count: values.count))
    }
}

/// σ in place over a buffer, optionally with σ′ stored aside.
@usableFromInline
struct ElementwiseActivation<T: Real>: ActivationLoop {
    @usableFromInline let values: UnsafeMutablePointer<T>?
    @usableFromInline let derivatives: UnsafeMutablePointer<T>?
    @usableFromInline let count: Int

    @inlinable
    init(values: UnsafeMutablePointer<T>?, derivatives: UnsafeMutablePointer<T>?, count: Int) {
        self.values = values
        self.derivatives = derivatives
        self.count = count
    }

    @inlinable
    func run<F: ActivationFunction>(_: F.Type) {
        guard let values else { return }
        if let derivatives {
            for i in 0..<count {
                let (v, d) = F.valueAndDerivative(values[i])
                values[i] = v
                derivatives[i] = d
            }
        } else {
            for i in 0..<count { values[i] = F.valueAndDerivative(values[i]).value }
        }
    }
}
