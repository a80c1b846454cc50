extension Network where T == Double {
    /// A random teacher as in the paper's toy problems: every neuron (hidden and output) gets a
    /// uniformly random direction times a norm drawn from U[1.5, 2.5], and a bias from
    /// U[−‖w‖, ‖w‖], so that each hidden unit's kink or bend lies within the bulk of N(0, I) inputs.
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
        let layers = (0..<sizes.count - 1).map { l -> DenseLayer<Double> in
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
        return try Network(activation: activation, layers: layers)
    }
}
