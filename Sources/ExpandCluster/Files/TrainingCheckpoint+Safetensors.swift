import ECCore
import ECEngine
import ECFormats
import Foundation

/// A training phase's checkpoint as a safetensors file: the students, Adam's moments beside
/// them, the trainer's state and step in the metadata, and the cluster stop rule's last check.
extension TrainingCheckpoint {
    static var clusterDirections: String { "clusterCheck.directions" }

    func safetensors(phase: PhaseID, finished: Bool) throws -> SafetensorsFile {
        var metadata = [
            "phase": phase.name, "finished": finished ? "true" : "false", "step": String(optimizer.step),
            "trainer": String(decoding: try JSONEncoder.forLines.encode(trainer), as: UTF8.self),
        ]
        if let clusterCheck {
            metadata["clusterCheck"] = String(decoding: try JSONEncoder.forLines.encode(clusterCheck.header), as: UTF8.self)
        }
        var file = bank.safetensors(losses: trainer.lastLosses, metadata: metadata)
        if let directions = clusterCheck?.directions {
            file.tensors.append(NamedTensor(Self.clusterDirections, AnyTensor(directions)))
        }
        for (spec, (m, v)) in zip(bank.layout.tensors, zip(optimizer.firstMoments, optimizer.secondMoments)) {
            file.tensors.append(NamedTensor("optimizer.first." + spec.name, AnyTensor(shape: [m.count], scalars: m)))
            file.tensors.append(NamedTensor("optimizer.second." + spec.name, AnyTensor(shape: [v.count], scalars: v)))
        }
        return file
    }

    /// Reads a checkpoint back, checking everything a backend would otherwise trust: the moments
    /// are read through raw pointers beside the parameters, so their sizes must be exact, and the
    /// trainer state indexes one loss and one schedule per student.
    static func decode(_ file: SafetensorsFile, path: String) throws -> (checkpoint: TrainingCheckpoint<T>, finished: Bool) {
        let bank = try StudentBank<T>(safetensors: file, path: path)
        let layout = bank.layout
        func invalid(_ problem: String) -> ECError { .invalidFile(path: path, problem: problem) }
        let sizes = layout.tensors.map { bank.count * $0.countPerStudent }
        let first = layout.tensors.compactMap { file["optimizer.first." + $0.name]?.scalars(as: T.self) }
        let second = layout.tensors.compactMap { file["optimizer.second." + $0.name]?.scalars(as: T.self) }
        for (moments, name) in [(first, "first"), (second, "second")] where !moments.isEmpty {
            guard moments.map(\.count) == sizes else {
                throw invalid("optimizer.\(name) moments hold \(moments.map(\.count).prefix(8)) values; the students' tensors need \(sizes.prefix(8))")
            }
        }
        guard let trainerText = file.metadata["trainer"],
              let trainer = try? JSONDecoder.forFiles.decode(TrainerState.self, from: Data(trainerText.utf8)),
              let step = Int(file.metadata["step"] ?? "") else {
            throw invalid("checkpoint without trainer state")
        }
        guard step >= 0, trainer.epochsDone >= 0 else {
            throw invalid("step \(step) and epochs done \(trainer.epochsDone) must not be negative")
        }
        guard first.isEmpty == second.isEmpty else { throw invalid("holds only one of the two optimizer moments") }
        let finished = file.metadata["finished"] == "true"
        // A finished phase keeps no schedules; one that goes on needs one per student.
        guard trainer.lastLosses.count == bank.count, trainer.schedules.count == (finished ? 0 : bank.count)
                || (finished && trainer.schedules.count == bank.count) else {
            throw invalid("trainer state has \(trainer.lastLosses.count) losses and \(trainer.schedules.count) schedules "
                          + "for \(bank.count) students")
        }
        for (i, schedule) in trainer.schedules.enumerated() {
            do { try schedule.validate("trainer.schedules[\(i)]") } catch let error as ECError { throw invalid(error.description) }
        }
        let optimizer = OptimizerState(step: step, firstMoments: first, secondMoments: second)
        let clusterCheck = try decodeClusterCheck(file, path: path)
        return (TrainingCheckpoint(bank: bank, optimizer: optimizer, trainer: trainer, clusterCheck: clusterCheck), finished)
    }

    private static func decodeClusterCheck(_ file: SafetensorsFile, path: String) throws -> ClusterCheck? {
        guard let text = file.metadata["clusterCheck"] else { return nil }
        guard let header = try? JSONDecoder.forFiles.decode(ClusterCheck.Header.self, from: Data(text.utf8)),
              let directions = try? file[clusterDirections]?.matrix(as: Double.self) else {
            throw ECError.invalidFile(path: path, problem: "clusterCheck needs its header and a [clusters, dimension] tensor \(clusterDirections)")
        }
        do {
            return try ClusterCheck(header: header, directions: directions)
        } catch let error as ECError { throw ECError.invalidFile(path: path, problem: error.description) }
    }
}

extension PlateauSchedule {
    /// The counters a resumed schedule goes on counting from: each stays within the range its own
    /// updates keep it in, so that none can overflow or skip a reduction.
    func validate(_ name: String) throws {
        try options.validate(name + ".options")
        try Field.require(learningRate >= 0 && learningRate.isFinite, name + ".learningRate", "0 or more", learningRate)
        try Field.require(!best.isNaN, name + ".best", "a number", best)
        try Field.require((0...options.patience).contains(badEpochs), name + ".badEpochs", "in 0...\(options.patience)", badEpochs)
        try Field.require((0...options.cooldown).contains(cooldownLeft), name + ".cooldownLeft", "in 0...\(options.cooldown)",
                          cooldownLeft)
        try Field.require(windowEpochs >= 0 && windowEpochs < (options.stallWindow ?? 1), name + ".windowEpochs",
                          "in 0..<\(options.stallWindow ?? 1)", windowEpochs)
        try Field.require(!(windowBest?.isNaN ?? false), name + ".windowBest", "a number or null", windowBest as Any)
    }
}
