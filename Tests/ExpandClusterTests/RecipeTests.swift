import ECCore
import ECEngine
import ExpandCluster
import Foundation
import Testing

/// The plain command's recipe by scale, and the criteria each scale judges a result by (issue 26).
struct RecipeTests {
    /// A comparison with one layer of `recovered` neurons for `teacher`, the given angles and loss,
    /// as report.json holds it.
    static func comparison(teacher: Int, recovered: Int, worst: Double, median: Double, relativeMSE: Double,
                           criteria: IdentificationCriteria) throws -> NetworkComparison {
        let angles: [String: Any] = ["worstDegrees": worst, "medianDegrees": median, "worstCosineDistance": 0, "medianCosineDistance": 0]
        let layer: [String: Any] = ["layer": 0, "teacherWidth": teacher, "recoveredWidth": recovered, "matches": [],
                                    "excess": [], "incoming": angles, "outgoing": angles]
        let json: [String: Any] = ["layers": [layer], "freshSamples": 10, "rmse": 0, "relativeMSE": relativeMSE, "maskedInputs": 0,
                                   "criteria": try JSONSerialization.jsonObject(with: JSONEncoder().encode(criteria))]
        return try JSONDecoder().decode(NetworkComparison.self, from: JSONSerialization.data(withJSONObject: json))
    }

    /// The PyTorch-trained 784-16-10 Fashion-MNIST teacher of the issue: 16 of 16 neurons, median
    /// 0.88°, fresh MSE/Var(y) 1.2e-7, but some pixels' directions unpinned (worst 7°).
    @Test func anImageTeacherFoundWithTypicalAnglesIsIdentifiedAtLargeScaleOnly() throws {
        let figures = (teacher: 16, recovered: 16, worst: 7.0, median: 0.88, relativeMSE: 1.2e-7)
        for (criteria, expected) in [(IdentificationCriteria.large, true), (.toy, false)] {
            let c = try Self.comparison(teacher: figures.teacher, recovered: figures.recovered, worst: figures.worst,
                                        median: figures.median, relativeMSE: figures.relativeMSE, criteria: criteria)
            #expect(c.identified == expected, "\(criteria.name)")
        }
    }

    @Test(arguments: [
        (64, 71, 2.0, 1e-6, false),   // 11% overhead
        (64, 70, 2.0, 1e-6, true),    // 9.4%
        (64, 63, 2.0, 1e-6, false),   // a teacher neuron missing
        (64, 64, 10.5, 1e-6, false),  // median angle
        (64, 64, 2.0, 2e-3, false),   // fresh loss
    ])
    func largeScaleBounds(teacher: Int, recovered: Int, median: Double, relativeMSE: Double, expected: Bool) throws {
        let c = try Self.comparison(teacher: teacher, recovered: recovered, worst: 45, median: median, relativeMSE: relativeMSE,
                                    criteria: .large)
        #expect(c.identified == expected)
    }

    @Test func theScaleFollowsTheInputCount() {
        #expect(RunScale(inputs: 4) == .toy && RunScale(inputs: 64) == .toy && RunScale(inputs: 65) == .large)
        #expect(RunScale(inputs: 784).criteria == .large)
    }

    /// At toy scale the recipe is the defaults; at large scale, with 60,000 samples, exactly the
    /// settings that identified the Fashion-MNIST acceptance teachers (Benchmarks/RESULTS.md).
    @Test func recipes() {
        var toy = IdentifyOptions.recipe(inputs: 4, samples: 10_000, activation: .g, hiddenLayers: 1, referenceWidths: [4])
        #expect(toy.scale == .toy)
        toy.scale = nil
        #expect(toy == IdentifyOptions(activation: .g, hiddenLayers: 1, referenceWidths: [4]))

        let shallow = IdentifyOptions.recipe(inputs: 784, samples: 60_000, activation: .g, hiddenLayers: 1, referenceWidths: [64])
        #expect(shallow.precision == .float32 && shallow.students == 5 && shallow.rho == 4 && shallow.expansion.polish == nil)
        #expect(shallow.expansion.batchSize == 128 && shallow.fineTuning.batchSize == 128)
        #expect(shallow.expansion.maximumEpochs == 300 && shallow.fineTuning.maximumEpochs == 200)
        #expect(shallow.expansion.learningRate == 1e-3 && shallow.expansion.schedule.cosineEpochs == 300)
        #expect(shallow.expansion.clusterStop?.everyEpochs == 20)

        let deep = IdentifyOptions.recipe(inputs: 784, samples: 60_000, activation: .g, hiddenLayers: 3, referenceWidths: [30, 30, 30])
        #expect(deep.students == 10)
        #expect(deep.expansion.maximumEpochs == 350 && deep.expansion.learningRate == 3e-3 && deep.expansion.schedule.cosineEpochs == 350)
        #expect(deep.retraining.maximumEpochs == 60 && deep.retraining.batchSize == 128)
        #expect(deep.fineTuning.maximumEpochs == 1500 && deep.fineTuning.batchSize == 1024 && deep.fineTuning.learningRate == 1e-3)
        #expect(deep.recipeDescription == "recipe (large scale): float32, 10 students, ρ = 4, minibatch 128, "
                + "expansion ≤ 350 epochs at 0.003 decayed to 0, re-training ≤ 60 epochs at 0.001, "
                + "fine-tuning ≤ 1500 epochs at 0.001 (minibatch 1024), not polished")
    }

    /// Fewer samples: as many steps as 60,000 would take, so more epochs, up to 25,000.
    @Test(arguments: [(60_000, 300), (6_000, 2_994), (500, 25_000), (64_000, 282)])
    func epochCapsKeepTheSteps(samples: Int, epochs: Int) {
        let options = IdentifyOptions.recipe(inputs: 784, samples: samples, activation: .g, hiddenLayers: 1, referenceWidths: [64])
        #expect(options.expansion.maximumEpochs == epochs && options.expansion.schedule.cosineEpochs == epochs)
    }
}
