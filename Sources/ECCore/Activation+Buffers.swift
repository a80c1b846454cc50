extension Activation {
    /// Calls `body` with this activation as a compile-time constant in each branch, so that a
    /// loop inside `body` is specialised (and vectorised) per activation instead of switching on
    /// every element.
    @inlinable @inline(__always)
    public func specialized<R>(_ body: (Activation) throws -> R) rethrows -> R {
        switch self {
        case .relu: try body(.relu)
        case .leakyRelu: try body(.leakyRelu)
        case .tanh: try body(.tanh)
        case .sigmoid: try body(.sigmoid)
        case .softplus: try body(.softplus)
        case .gelu: try body(.gelu)
        case .silu: try body(.silu)
        case .g: try body(.g)
        case .identity: try body(.identity)
        }
    }

    /// Replaces each pre-activation z in `values` by σ(z).
    @inlinable
    public func apply<T: Real>(to values: UnsafeMutableBufferPointer<T>) {
        specialized { activation in
            for i in values.indices { values[i] = activation.value(values[i]) }
        }
    }

    /// Replaces each pre-activation z in `values` by σ(z) and writes σ′(z) to `derivatives`.
    @inlinable
    public func apply<T: Real>(to values: UnsafeMutableBufferPointer<T>,
                               derivatives: UnsafeMutableBufferPointer<T>) {
        precondition(derivatives.count >= values.count)
        specialized { activation in
            for i in values.indices {
                let (v, d) = activation.valueAndDerivative(values[i])
                values[i] = v
                derivatives[i] = d
            }
        }
    }
}
