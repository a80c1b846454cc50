import ECCore
import ECEngine
import ExpandCluster
import Testing

/// A run's settings are checked field by field before anything runs, with the field named as
/// settings.json spells it.
struct IdentifySettingsValidationTests {
    static func settings(_ change: (inout IdentifyOptions) -> Void) -> IdentifySettings {
        var options = IdentifyOptions(activation: .tanh, hiddenLayers: 2, referenceWidths: [4, 3])
        change(&options)
        return IdentifySettings(probe: "/p.npz", teacher: nil, options: options)
    }

    static func message(_ settings: IdentifySettings) -> String? {
        do {
            try settings.validate()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theDefaultRecipeAndPolishingSwitchedOffPass() {
        #expect(Self.message(Self.settings { _ in }) == nil)
        #expect(Self.message(Self.settings { $0.setPolishIterations(0) }) == nil)
        #expect(Self.message(Self.settings { $0.setPolishIterations(7) }) == nil)
    }

    /// Whether a run is polished is the expansion's setting; a phase that disagrees would skip
    /// both the polished and the unpolished clean-ups.
    @Test func phasesMustAgreeOnPolishing() throws {
        let missing = try #require(Self.message(Self.settings { $0.fineTuning.polish = nil }))
        #expect(missing.contains("options.fineTuning.polish") && missing.contains("set, as options.expansion.polish is"))
        let extra = try #require(Self.message(Self.settings { options in
            options.setPolishIterations(0)
            options.retraining.polish = .students(hiddenLayers: 2)
        }))
        #expect(extra.contains("options.retraining.polish") && extra.contains("null"))
    }

    @Test func badTrainingFieldsAreNamed() throws {
        let batch = try #require(Self.message(Self.settings { $0.fineTuning.batchSize = 0 }))
        #expect(batch.contains("options.fineTuning.batchSize"))
        let patience = try #require(Self.message(Self.settings { $0.expansion.schedule.patience = -1 }))
        #expect(patience.contains("options.expansion.schedule.patience"))
        let iterations = try #require(Self.message(Self.settings { $0.pilot.training.polish?.maximumIterations = -1 }))
        #expect(iterations.contains("options.pilot.training.polish.maximumIterations"))
    }
}
