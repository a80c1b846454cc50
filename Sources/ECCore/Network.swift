/// One affine map x ↦ W x + b with W stored [out, in] row-major (PyTorch's nn.Linear layout).
public struct DenseLayer<T: Real>: Sendable, Equatable {
    public var weight: Matrix<T>
    public var bias: [T]

    public init(weight: Matrix<T>, bias: [T]) {
        precondition(bias.count == weight.rows, "DenseLayer: \(bias.count) biases for \(weight.rows) outputs")
        self.weight = weight
        self.bias = bias
    }

    public var inputs: Int { weight.columns }
    public var outputs: Int { weight.rows }

    /// x Wᵀ + b for a batch of row vectors x [n, in].
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func apply(_ x: Matrix<T>) -> Matrix<T> {
        var z = x.multipliedByTranspose(of: weight)
        for r in 0..<z.rows { for c in 0..<z.columns { z.scalars[r * z.columns + c] += bias[c] } }
        return z
    }

    public func converted<U: Real>(to _: U.Type = U.self) -> DenseLayer<U> {
        DenseLayer<U>(weight: weight.converted(), bias: bias.map { U(Double($0)) })
    }
}

/// A fully connected network: hidden layers with one activation, a linear output layer, and an
/// optional affine skip term from the input to the output (used by recovered networks whose
/// activation class leaves a linear part undetermined).
public struct Network<T: Real>: Sendable, Equatable {
    public var activation: Activation
    /// Hidden layers first, the linear output layer last.
    public var layers: [DenseLayer<T>]
    /// x ↦ Φ x + c added to the output, Φ stored [out, in].
    public var skip: DenseLayer<T>?

    /// Checks that consecutive layers fit together.
    public init(activation: Activation, layers: [DenseLayer<T>], skip: DenseLayer<T>? = nil) throws {
        guard !layers.isEmpty else { throw ECError.shapeMismatch("a network needs at least one layer") }
        for (i, pair) in zip(layers, layers.dropFirst()).enumerated() where pair.0.outputs != pair.1.inputs {
            throw ECError.shapeMismatch(
                "layer \(i) has \(pair.0.outputs) outputs but layer \(i + 1) takes \(pair.1.inputs) inputs")
        }
        if let skip, skip.inputs != layers[0].inputs || skip.outputs != layers[layers.count - 1].outputs {
            throw ECError.shapeMismatch(
                "skip term is \(skip.outputs)×\(skip.inputs) but the network maps \(layers[0].inputs) to \(layers[layers.count - 1].outputs)")
        }
        self.activation = activation
        self.layers = layers
        self.skip = skip
    }

    /// [inputs, hidden widths..., outputs].
    public var widths: [Int] { [layers[0].inputs] + layers.map(\.outputs) }
    public var inputCount: Int { layers[0].inputs }
    public var outputCount: Int { layers[layers.count - 1].outputs }
    public var hiddenWidths: [Int] { layers.dropLast().map(\.outputs) }

    /// Outputs for a batch of inputs [n, inputs].
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func callAsFunction(_ x: Matrix<T>) -> Matrix<T> {
        var h = x
        for layer in layers.dropLast() { h = hidden(layer, h) }
        var out = layers[layers.count - 1].apply(h)
        if let skip {
            let linear = skip.apply(x)
            for i in out.scalars.indices { out.scalars[i] += linear.scalars[i] }
        }
        return out
    }

    /// Post-activation values of every hidden layer for a batch of inputs.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func hiddenActivations(_ x: Matrix<T>) -> [Matrix<T>] {
        var out = [Matrix<T>]()
        var h = x
        for layer in layers.dropLast() {
            h = hidden(layer, h)
            out.append(h)
        }
        return out
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private func hidden(_ layer: DenseLayer<T>, _ x: Matrix<T>) -> Matrix<T> {
        var z = layer.apply(x)
        z.scalars.withUnsafeMutableBufferPointer { activation.apply(to: $0) }
        return z
    }

    public func converted<U: Real>(to _: U.Type = U.self) -> Network<U> {
        // Shapes are unchanged, so the checks in init cannot fail.
        try! Network<U>(activation: activation, layers: layers.map { $0.converted() }, skip: skip?.converted())
    }
}
