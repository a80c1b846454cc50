// libFuzzer target for what `ec identify --resume` reads back from a run directory: settings.json
// and a training phase's checkpoint. Compiled into the ExpandCluster module (scripts/fuzz.sh), so
// it calls the same decoders `--resume` does; EC_FUZZ_TARGET says which: settings, checkpoint (a
// whole file), or trainer (the trainer state's JSON alone, in an otherwise valid checkpoint: inside
// a file, a mutation that changes the JSON's length breaks the header's length and offsets first).
// Whatever passes the decoder must also be safe to use, so each accepted input is then used as a
// resumed run would use it.
import ECCore
import ECEngine
import ECFormats
import Foundation

private let target = ProcessInfo.processInfo.environment["EC_FUZZ_TARGET"] ?? ""

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case "settings":
        if let settings = try? IdentifySettings.decode(Data(bytes), path: "fuzz") { use(settings) }
    case "checkpoint":
        guard let file = try? SafetensorsFile(decoding: bytes, path: "fuzz") else { return 0 }
        resumeOneEpoch(Float.self, from: file)
        resumeOneEpoch(Double.self, from: file)
    case "trainer":
        var file = validCheckpoint()
        file.metadata["trainer"] = String(decoding: bytes, as: UTF8.self)
        resumeOneEpoch(Double.self, from: file)
    default: fatalError("EC_FUZZ_TARGET must be settings, checkpoint or trainer (got '\(target)')")
    }
    return 0
}

/// Two tanh students of 3-4-1 after one epoch of a run stopped mid-phase; the fuzzer's input
/// replaces its trainer state. Built anew for every input: kept in a global, its arrays were
/// reported as leaks by LeakSanitizer.
private func validCheckpoint() -> SafetensorsFile {
    let bank = try! StudentBank<Double>.random(widths: [3, 4, 1], count: 2, activation: .tanh, seed: 1)
    let trainer = TrainerState(epochsDone: 1, schedules: Array(repeating: PlateauSchedule(learningRate: 1e-3), count: 2),
                               lastLosses: [1, 1])
    let checkpoint = TrainingCheckpoint(bank: bank, optimizer: .initial(for: bank, optimizer: .standardAdam), trainer: trainer)
    return try! checkpoint.safetensors(phase: .expand, finished: false)
}

/// What a run derives from its settings before it trains: the students' widths for ρ and every
/// pilot rung, and each phase's trainer, backend configuration, plateau schedule and polish range.
private func use(_ settings: IdentifySettings) {
    let options = settings.options
    for rho in [options.rho].compactMap({ $0 }) + options.pilot.ladder { _ = options.studentWidths(rho: rho) }
    for training in [options.expansion, options.retraining, options.fineTuning, options.pilot.training] {
        _ = training.trainer(seed: options.seed)
        _ = training.engine()
        var schedule = PlateauSchedule(learningRate: training.learningRate, options: training.schedule)
        for epoch in 0..<min(training.maximumEpochs, 300) {
            _ = schedule.effectiveLearningRate(epoch: epoch)
            schedule.record(loss: 1 / Double(epoch + 1))
        }
        if let polish = training.polish { _ = [0..<polish.maximumIterations, 0..<polish.patience].map(\.count) }
    }
}

/// Decodes `file` as a checkpoint in precision `T` and, when it is accepted and unfinished, trains
/// one epoch from it on the CPU backend, as `--resume` would, on a few samples of the right shape.
private func resumeOneEpoch<T: Real>(_: T.Type, from file: SafetensorsFile) {
    guard let (checkpoint, finished) = try? TrainingCheckpoint<T>.decode(file, path: "fuzz"), !finished,
          checkpoint.bank.layout.parametersPerStudent * checkpoint.bank.count <= 1 << 20 else { return }
    let widths = checkpoint.bank.widths
    let samples = 8
    var random = RandomSource(seed: 1, stream: 0xF022)
    let inputs = Matrix<T>(rows: samples, columns: widths[0], scalars: (0..<samples * widths[0]).map { _ in T(random.normal()) })
    let targets = Matrix<T>(rows: samples, columns: widths.last!, scalars: (0..<samples * widths.last!).map { _ in T(random.normal()) })
    guard let data = try? TrainingData(inputs: inputs, targets: targets),
          let backend = try? CPUBackend(data: data, bank: checkpoint.bank, optimizerState: checkpoint.optimizer,
                                        configuration: EngineConfiguration(batchSize: 4), threads: 1) else { return }
    let trainer = Trainer(backend: backend, options: TrainingOptions(maximumEpochs: .max), resumeFrom: checkpoint.trainer)
    if !trainer.finished { _ = try? trainer.trainEpoch(samples: samples) }
}
