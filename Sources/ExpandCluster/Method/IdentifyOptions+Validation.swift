import ECCore
import ECEngine

/// The checks every field of a run's settings passes before anything is written, and again when
/// `--resume` reads settings.json back: a value that passes cannot trap later (a width beyond
/// `Int`, a negative iteration count made into a range). Errors name the field as settings.json
/// spells it.
extension IdentifySettings {
    public func validate() throws {
        try Field.require(freshSamples >= 1, "freshSamples", "at least 1", freshSamples)
        try options.validateFields()
    }
}

extension IdentifyOptions {
    /// Hidden widths are counted in `Int32` by the backends' kernels; a larger one is a typo.
    static let maximumWidth = Double(Int32.max)

    func validateFields() throws {
        try Field.require(hiddenLayers >= 1, "options.hiddenLayers", "at least 1", hiddenLayers)
        try Field.require(referenceWidths.count == hiddenLayers && referenceWidths.allSatisfy { $0 > 0 },
                          "options.referenceWidths", "one positive width per hidden layer (\(hiddenLayers))", referenceWidths)
        try Field.require(students >= 2, "options.students", "at least 2", students)
        if let rho { try requireFittingWidths(rho, "options.rho") }
        for (i, rung) in pilot.ladder.enumerated() { try requireFittingWidths(rung, "options.pilot.ladder[\(i)]") }
        try Field.require(pilot.students >= 1, "options.pilot.students", "at least 1", pilot.students)
        try Field.require(pilot.fraction > 0 && pilot.fraction <= 1, "options.pilot.fraction", "in (0, 1]", pilot.fraction)
        if let floor = pilot.floor { try Field.require(floor > 0 && floor.isFinite, "options.pilot.floor", "positive", floor) }
        for (name, training) in [("expansion", expansion), ("retraining", retraining),
                                 ("fineTuning", fineTuning), ("pilot.training", pilot.training)] {
            try training.validate("options." + name)
            try Field.require(training.precision != .float64 || precision == .float64, "options.\(name).precision",
                              "float32 or null in a float32 run", "float64")
            // The expansion's polish decides whether the run is polished (`polishes`); a phase
            // without one in a polished run would skip both kinds of clean-up.
            try Field.require((training.polish == nil) == (expansion.polish == nil), "options.\(name).polish",
                              expansion.polish == nil ? "null, as options.expansion.polish is" : "set, as options.expansion.polish is",
                              training.polish.map { "\($0.maximumIterations) iterations" } ?? "null")
        }
        try clustering.validate("options.clustering")
        try Field.require(redundancyTolerance >= 0 && redundancyTolerance.isFinite, "options.redundancyTolerance",
                          "0 or more", redundancyTolerance)
        try Field.require(checkpointSeconds >= 0 && checkpointSeconds.isFinite, "options.checkpointSeconds",
                          "0 or more", checkpointSeconds)
    }

    /// ρ and the pilot ladder multiply the reference widths; each product becomes an `Int`.
    private func requireFittingWidths(_ factor: Double, _ name: String) throws {
        try Field.require(factor > 0 && factor.isFinite, name, "a positive finite number", factor)
        guard let widest = referenceWidths.max(), factor * Double(widest) <= Self.maximumWidth else {
            throw ECError.invalidArgument("\(name) = \(factor) (ρ) times the reference widths \(referenceWidths) gives hidden "
                                          + "widths beyond \(Int(Self.maximumWidth))")
        }
    }
}

extension TrainingSettings {
    func validate(_ name: String) throws {
        try Field.require(learningRate > 0 && learningRate.isFinite, name + ".learningRate", "positive", learningRate)
        try Field.require(batchSize >= 1, name + ".batchSize", "at least 1", batchSize)
        try Field.require(maximumEpochs >= 1, name + ".maximumEpochs", "at least 1", maximumEpochs)
        try schedule.validate(name + ".schedule")
        if let polish { try polish.validate(name + ".polish") }
        if let clusterStop { try clusterStop.validate(name + ".clusterStop") }
    }
}

extension PlateauSchedule.Options {
    func validate(_ name: String) throws {
        try Field.require(factor > 0 && factor < 1, name + ".factor", "in (0, 1)", factor)
        try Field.require(patience >= 0, name + ".patience", "0 or more", patience)
        try Field.require(cooldown >= 0, name + ".cooldown", "0 or more", cooldown)
        try Field.require(minimumLearningRate >= 0 && minimumLearningRate.isFinite, name + ".minimumLearningRate", "0 or more",
                          minimumLearningRate)
        try Field.require(threshold >= 0 && threshold < 1, name + ".threshold", "in [0, 1)", threshold)
        if let cosineEpochs { try Field.require(cosineEpochs >= 1, name + ".cosineEpochs", "at least 1", cosineEpochs) }
        if let stallWindow { try Field.require(stallWindow >= 1, name + ".stallWindow", "at least 1", stallWindow) }
    }
}

extension LevenbergMarquardt.Options {
    func validate(_ name: String) throws {
        try Field.require(maximumIterations >= 0, name + ".maximumIterations", "0 or more", maximumIterations)
        try Field.require(patience >= 1, name + ".patience", "at least 1", patience)
        try Field.require(minimumSamples >= 1, name + ".minimumSamples", "at least 1", minimumSamples)
        try Field.require(targetRelativeLoss >= 0 && targetRelativeLoss.isFinite, name + ".targetRelativeLoss", "0 or more",
                          targetRelativeLoss)
        try Field.require(minimumImprovement > 0 && minimumImprovement <= 1, name + ".minimumImprovement", "in (0, 1]",
                          minimumImprovement)
    }
}

extension ClusteringOptions {
    func validate(_ name: String) throws {
        try Field.require(gamma > 0 && gamma <= 1, name + ".gamma", "in (0, 1]", gamma)
        try Field.require(betaDegrees > 0 && betaDegrees <= 90, name + ".betaDegrees", "in (0, 90]", betaDegrees)
        try Field.require(negligibleContribution >= 0 && negligibleContribution < 1, name + ".negligibleContribution",
                          "in [0, 1)", negligibleContribution)
        if let spanGain { try Field.require(spanGain > 1 && spanGain.isFinite, name + ".spanGain", "a finite number above 1", spanGain) }
        if let duplicateCorrelation {
            try Field.require(duplicateCorrelation > 0 && duplicateCorrelation <= 1, name + ".duplicateCorrelation", "in (0, 1]",
                              duplicateCorrelation)
        }
        if let removalLossFactor {
            try Field.require(removalLossFactor >= 1 && removalLossFactor.isFinite, name + ".removalLossFactor",
                              "a finite number of at least 1", removalLossFactor)
        }
    }
}

/// One field's check, with the error every check above gives.
enum Field {
    static func require(_ condition: Bool, _ name: String, _ expected: String, _ value: Any) throws {
        guard !condition else { return }
        throw ECError.invalidArgument("\(name) must be \(expected) (got \(value))")
    }
}
