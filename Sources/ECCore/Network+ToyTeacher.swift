extension Network where T == Double {
    /// A random teacher as in the paper's toy problems: every neuron (hidden and output) gets a
    /// uniformly random direction times a norm drawn from U[1.5, 2.5], and a bias from
    /// U[−‖w‖, ‖w‖], so that each hidden unit's kink or bend lies within the bulk of N(0, I) inputs.
    /// Hidden layers after the first are then placed on what they really see (see
    /// `centredOnInputs`), so that their units bend within the bulk of their own inputs too.
    public static func toyTeacher(inputs: Int, hiddenWidths: [Int], outputs: Int = 1,
                                  activation: Activation, seed: UInt64) throws -> Network {
        guard inputs > 0 else { throw ECError.invalidArgument("--inputs must be positive (got \(inputs))") }
        guard outputs > 0 else { throw ECError.invalidArgument("--outputs must be positive (got \(outputs))") }
        if let bad = hiddenWidths.first(where: { $0 <= 0 }) {
            throw ECError.invalidArgument("--widths must all be positive (got \(bad))")
        }
        guard !hiddenWidths.isEmpty else { throw ECError.invalidArgument("--widths needs at least one hidden layer") }
        let sizes = [inputs] + hiddenWidths + [outputs]
        try MemoryBudget.require(zip(sizes, sizes.dropFirst()).map { [$0, $1] }, bytesEach: MemoryLayout<Double>.size,
                                 for: "a teacher of widths \(sizes.map(String.init).joined(separator: "-"))")
        var random = RandomSource(seed: seed, stream: 0x7EAC_4E12)
        var layers = (0..<sizes.count - 1).map { l -> DenseLayer<Double> in
            var weight = Matrix<Double>(rows: sizes[l + 1], columns: sizes[l])
            var bias = [Double](repeating: 0, count: sizes[l + 1])
            for o in 0..<sizes[l + 1] {
                let norm = random.uniform(1.5, 2.5)
                let direction = random.unitVector(sizes[l])
                for i in 0..<sizes[l] { weight[o, i] = norm * direction[i] }
                bias[o] = random.uniform(-norm, norm)
            }
            return DenseLayer(weight: weight, bias: bias)
        }
        if hiddenWidths.count > 1 {
            var reference = RandomSource(seed: seed, stream: 0x7EAC_C3E7)
            var h = Matrix<Double>(rows: referenceSamples, columns: inputs,
                                   scalars: (0..<referenceSamples * inputs).map { _ in reference.normal() })
            for l in 0..<hiddenWidths.count {
                if l > 0 { layers[l] = layers[l].centredOnInputs(h) }
                var z = layers[l].apply(h)
                z.scalars.withUnsafeMutableBufferPointer { activation.apply(to: $0) }
                h = z
            }
        }
        return try Network(activation: activation, layers: layers)
    }

    /// N(0, I) inputs on which a deep teacher's later layers are placed.
    static let referenceSamples = 4096
}

extension DenseLayer where T == Double {
    /// This layer moved onto the inputs `h` [n, inputs] it will see, so that each unit's
    /// pre-activation over them has the distribution a first-layer unit has over N(0, I): mean
    /// b and standard deviation ‖w‖. A later layer drawn like the first would not bend within
    /// its inputs: they are activations, positive and off-centre for g, softplus, sigmoid and
    /// ReLU, so a unit drawn that way can sit where it is linear over all the data, and then no
    /// student can single it out.
    func centredOnInputs(_ h: Matrix<Double>) -> DenseLayer {
        let pre = DenseLayer(weight: weight, bias: [Double](repeating: 0, count: outputs)).apply(h)
        let means = pre.columnMeans, variances = pre.columnVariances
        var weight = weight, bias = bias
        for o in 0..<outputs {
            let norm = weight.row(o).euclideanNorm
            let scale = variances[o] > 0 ? norm / variances[o].squareRoot() : 1
            for i in 0..<inputs { weight[o, i] *= scale }
            bias[o] -= scale * means[o]
        }
        return DenseLayer(weight: weight, bias: bias)
    }
}
