import ECCore
import ECDistributed
import ECEngine
import ECFormats
import Foundation

/// An identification run with its output directory: reads the probe set and the teacher, runs
/// (or resumes) the method, and writes the recovered network, the students, report.json, the
/// epoch log and the pictures. Under MPI every rank opens the run alike and runs it together;
/// rank 0 alone writes the directory.
public struct IdentifyRun {
    public let directory: RunDirectory
    public let settings: IdentifySettings
    public let ranks: Ranks

    /// A new run in `directory` (which may already hold a finished or killed run of the same
    /// settings: its finished work is reused). settings.json is written only once the probe and
    /// the teacher have passed every check (in `run`), so that a command refused for its flags or
    /// files can be corrected and run again.
    public init(settings: IdentifySettings, directory: URL, ranks: Ranks = .single) throws {
        try settings.validate()
        let existing = directory.appendingPathComponent(RunDirectory.settingsName)
        if FileManager.default.fileExists(atPath: existing.path) {
            // Reusing finished phases is only sound for the very same run.
            let previous = try? RunDirectory.loadSettings(in: directory)
            guard previous == settings else {
                throw ECError.invalidArgument("\(directory.relativePath) holds a run with other settings; continue it with --resume \(directory.relativePath), or choose another --output")
            }
        }
        self.directory = try RunDirectory(url: directory)
        if ranks.isRoot { try self.directory.lockForWriting() }
        self.settings = settings
        self.ranks = ranks
    }

    /// Continues the run in `directory` with the settings it was started with.
    public init(resuming directory: URL, ranks: Ranks = .single) throws {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(RunDirectory.settingsName).path) else {
            let exists = FileManager.default.fileExists(atPath: directory.path)
            throw ECError.invalidFile(path: directory.relativePath,
                                      problem: (exists ? "holds no settings.json" : "does not exist") + "; nothing to resume")
        }
        self.directory = try RunDirectory(url: directory)
        if ranks.isRoot { try self.directory.lockForWriting() }
        self.ranks = ranks
        settings = try self.directory.loadSettings()
        if let started = settings.probeFingerprint {
            let now = try FileFingerprint(of: URL(fileURLWithPath: settings.probe))
            guard now == started else {
                throw ECError.invalidFile(path: settings.probe, problem: "is not the probe set this run started with (then \(started), now \(now)); restore it or start a new run")
            }
        }
    }

    public struct Outcome: Sendable {
        public let recovered: Network<Double>
        public let report: IdentifyReport
    }

    /// Runs (or resumes) the identification; `stopRequested` is asked before every phase and
    /// after every training epoch, and true stops the run there, checkpointed, with `RunStopped`.
    public func run(progress: @escaping (ProgressEvent) -> Void, stopRequested: @escaping StopRequest = { false }) throws -> Outcome {
        let store: IdentificationStore = ranks.isRoot ? directory : RunDirectoryReader(directory)
        let clock = try PhaseClock(store: store)   // the total covers loading the data too
        let options = settings.options
        let probe = try ProbeSet<Double>.load(from: URL(fileURLWithPath: settings.probe))
        let target = try comparisonTarget(probe: probe)
        let variance = try targetVariance(probe.targets)   // refused before any device is set up
        try options.validate(inputs: probe.inputs.columns)
        if ranks.isRoot { try directory.saveSettings(settings) }
        let device = try options.backend.resolve(precision: options.precision)
        // Once every check has passed, so that a refused run's error stays its only line.
        progress(.note(options.recipeDescription))
        progress(.note("running on \(device.describe(precision: options.precision))"))
        let result = try Identification(options: options, store: store, stopRequested: stopRequested, ranks: ranks)
            .run(inputs: probe.inputs, targets: probe.targets, compareWith: target, device: device, clock: clock, progress: progress)
        var report = result.report
        report.peakHostMemoryBytes = peakResidentMemoryBytes()
        report.peakDeviceMemoryBytes = device.peakDeviceMemoryBytes
        report.ranks = try RankReport.gather(ranks, device: report.device)
        guard ranks.isRoot else { return Outcome(recovered: result.recovered, report: report) }
        // A write that fails (a full disk) says which results are complete; the checkpoints stay,
        // so a resumed run writes the rest without training again. The write's own error names
        // the file.
        var written = [String]()
        func write(_ name: String, _ body: () throws -> Void) throws {
            do {
                try body()
                written.append(name)
            } catch {
                let complete = written.isEmpty ? "no result was written" : written.joined(separator: ", ") + " written"
                throw ECError.invalidArgument("\(error); \(complete); `ec identify --resume` writes the rest from the checkpoints")
            }
        }
        try write("recovered.safetensors") {
            try result.recovered.save(to: directory.file("recovered.safetensors"),
                                      metadata: ["generator": "ec identify", "probe": settings.probe])
        }
        try write("students.safetensors") {
            try result.students.safetensors(losses: report.studentRelativeLosses.map { $0 * variance })
                .write(to: directory.file("students.safetensors"))
        }
        try write("report.json") { try writeJSONAtomically(report, to: directory.file("report.json")) }
        try write("the pictures") { try IdentifyPictures(report: report).write(to: directory.url) }
        return Outcome(recovered: result.recovered, report: report)
    }

    /// The teacher and the fresh inputs to compare with, when the run names a teacher.
    private func comparisonTarget(probe: ProbeSet<Double>) throws -> ComparisonTarget? {
        guard let path = settings.teacher else { return nil }
        let teacher = try Network<Double>.load(from: URL(fileURLWithPath: path))
        guard teacher.inputCount == probe.inputs.columns, teacher.outputCount == probe.targets.columns else {
            throw ECError.shapeMismatch("\(path) maps \(teacher.inputCount) → \(teacher.outputCount) but \(settings.probe) has x [\(probe.inputs.rows), \(probe.inputs.columns)] and y [\(probe.targets.rows), \(probe.targets.columns)]")
        }
        let fresh = try settings.freshInputs.map { try ProbeInputs.named($0, limit: nil) }
            ?? ProbeInputs.gaussian(count: settings.freshSamples, dimension: probe.inputs.columns,
                                    seed: settings.options.seed &+ 0xF4E5)
        return ComparisonTarget(teacher: teacher, freshInputs: fresh)
    }
}
