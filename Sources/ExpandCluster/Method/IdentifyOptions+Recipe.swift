import ECCore
import ECEngine

extension IdentifyOptions {
    /// What the plain `ec identify` runs for a probe set of `samples` samples of `inputs` inputs;
    /// each setting can be changed afterwards (by its flag). Toy scale: `init`'s defaults (float64,
    /// ρ chosen by pilots, polished). Large scale: the recipe that identified the Fashion-MNIST
    /// teachers (Benchmarks/RESULTS.md): float32, ρ = 4, minibatch 128, a rate decayed to 0 at the
    /// expansion's cap, and epoch caps that give the same number of steps as those runs' on 60,000
    /// samples.
    public static func recipe(inputs: Int, samples: Int, activation: Activation, hiddenLayers: Int,
                              referenceWidths: [Int], seed: UInt64 = 0) -> IdentifyOptions {
        let scale = RunScale(inputs: inputs)
        var options: IdentifyOptions
        switch scale {
        case .toy:
            options = IdentifyOptions(activation: activation, hiddenLayers: hiddenLayers, referenceWidths: referenceWidths, seed: seed)
        case .large:
            // One hidden layer: nearly every student finds every teacher neuron, so 5 students
            // make clusters as clear as 10; a deep layer is found by fewer of them.
            let batch = 128, deep = hiddenLayers > 1
            let epochs = { (reference: Int, batch: Int) in Self.epochs(sameStepsAs: reference, samples: samples, batchSize: batch) }
            options = IdentifyOptions(activation: activation, hiddenLayers: hiddenLayers, referenceWidths: referenceWidths,
                                      students: deep ? 10 : 5, rho: 4, precision: .float32, batchSize: batch,
                                      expansionEpochs: epochs(deep ? 350 : 300, batch), seed: seed)
            options.setPolishIterations(0)
            // Adam's steps keep about the rate's size however small the gradient, so at a constant
            // rate the students circle the teacher's neurons; decayed to 0 at the cap, they settle.
            options.expansion.schedule.cosineEpochs = options.expansion.maximumEpochs
            if deep {
                // Deep students at 128 samples a step: 3e-3, and a final fine-tuning at minibatch
                // 1,024 that reaches the loss at which pruning decides.
                options.expansion.learningRate = 3e-3
                options.retraining.maximumEpochs = epochs(60, batch)
                options.fineTuning = TrainingSettings(learningRate: 1e-3, batchSize: 1024, maximumEpochs: epochs(1500, 1024))
            } else {
                options.fineTuning.maximumEpochs = epochs(200, batch)
                options.expansion.clusterStop?.everyEpochs = epochs(20, batch)
            }
        }
        options.scale = scale
        return options
    }

    /// The epochs of `samples` samples that take as many minibatch steps as `reference` epochs of
    /// 60,000 do, at most the reference MNIST cap of 25,000.
    static func epochs(sameStepsAs reference: Int, samples: Int, batchSize: Int) -> Int {
        let steps = { (n: Int) in (n + batchSize - 1) / batchSize }
        let total = reference * steps(60_000)
        return min(25_000, max(1, (total + steps(samples) - 1) / steps(samples)))
    }

    /// The recipe in one line, as the run prints it and report.json records it.
    public var recipeDescription: String {
        func rate(_ x: Double) -> String { String(format: "%g", x) }
        func training(_ name: String, _ t: TrainingSettings) -> String {
            "\(name) ≤ \(t.maximumEpochs) epochs at \(rate(t.learningRate))\(t.schedule.cosineEpochs == nil ? "" : " decayed to 0")"
                + (t.precision == .float32 && precision == .float64 ? " in float32" : "")
                + (t.batchSize == expansion.batchSize ? "" : " (minibatch \(t.batchSize))")
                + (t.clusterStop.map { " or \($0.checks) stable cluster checks \($0.everyEpochs) epochs apart" } ?? "")
        }
        var parts = ["\(precision.rawValue)", "\(students) students", rho.map { "ρ = \(rate($0))" } ?? "ρ by pilots",
                     "minibatch \(expansion.batchSize)", training("expansion", expansion)]
        if hiddenLayers > 1 { parts.append(training("re-training", retraining)) }
        parts.append(training("fine-tuning", fineTuning))
        parts.append(polishes ? "polished" : "not polished")
        return "recipe (\((scale ?? .toy).rawValue) scale): " + parts.joined(separator: ", ")
    }
}
