import ECCore
import ECEngine
import ECFormats
import Foundation

/// What an `ec identify` run was started with; saved in the output directory for `--resume`.
public struct IdentifySettings: Sendable, Codable, Equatable {
    public var probe: String
    public var teacher: String?
    public var options: IdentifyOptions
    /// Fresh Gaussian inputs for the comparison (when no fresh-input file is given).
    public var freshSamples: Int
    public var freshInputs: String?

    public init(probe: String, teacher: String?, options: IdentifyOptions, freshSamples: Int = 10_000, freshInputs: String? = nil) {
        self.probe = probe
        self.teacher = teacher
        self.options = options
        self.freshSamples = freshSamples
        self.freshInputs = freshInputs
    }
}

/// An identification run with its output directory: runs (or resumes) the method, compares with
/// the teacher when one is known, and writes the recovered network, the students, report.json,
/// the epoch log and the pictures.
public struct IdentifyRun {
    public let directory: RunDirectory
    public let settings: IdentifySettings

    /// A new run in `directory` (which may already hold a finished or killed run of the same
    /// settings: its finished work is reused).
    /// settings.json is written only once the probe and teacher have passed every check (see
    /// `run`), so that a command refused for its flags or files can be corrected and rerun.
    public init(settings: IdentifySettings, directory: URL) throws {
        try settings.validate()
        let existing = directory.appendingPathComponent(RunDirectory.settingsName)
        if FileManager.default.fileExists(atPath: existing.path) {
            // Reusing finished phases is only sound for the very same run.
            let previous = try? RunDirectory.loadSettings(IdentifySettings.self, in: directory)
            guard previous == settings else {
                throw ECError.invalidArgument("\(directory.relativePath) holds a run with other settings; continue it with --resume \(directory.relativePath), or choose another --output")
            }
        }
        self.directory = try RunDirectory(url: directory)
        try self.directory.lockForWriting()
        self.settings = settings
    }

    /// Continues the run in `directory` with the settings it was started with.
    public init(resuming directory: URL) throws {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(RunDirectory.settingsName).path) else {
            let exists = FileManager.default.fileExists(atPath: directory.path)
            throw ECError.invalidFile(path: directory.relativePath,
                                      problem: (exists ? "holds no settings.json" : "does not exist") + "; nothing to resume")
        }
        self.directory = try RunDirectory(url: directory)
        try self.directory.lockForWriting()
        settings = try self.directory.loadSettings(IdentifySettings.self)
        let path = self.directory.file(RunDirectory.settingsName).relativePath
        do {
            try settings.validate()
        } catch let error as ECError {
            throw ECError.invalidFile(path: path, problem: error.description)
        }
    }

    public struct Outcome: Sendable {
        public let recovered: Network<Double>
        public let report: IdentifyReport
    }

    /// Runs (or resumes) the identification; `stopRequested` is asked before every phase and
    /// after every training epoch, and true stops the run there, checkpointed, with `RunStopped`.
    /// The report's times ("total" included) are summed over every process that worked on the run.
    public func run(progress: @escaping (ProgressEvent) -> Void, stopRequested: @escaping StopRequest = { false }) throws -> Outcome {
        let clock = try PhaseClock(store: directory)
        let result: IdentifyResult, variance: Double
        do {
            (result, variance) = try identify(clock: clock, progress: progress, stopRequested: stopRequested)
            try clock.finish()
        } catch {
            try? clock.finish()   // a stop between phases keeps this process's time
            throw error
        }
        var report = result.report
        report.phaseSeconds = clock.seconds
        report.peakHostMemoryBytes = peakResidentMemoryBytes()
        report.peakDeviceMemoryBytes = settings.options.backend.peakDeviceMemoryBytes(precision: settings.options.precision)
        try result.recovered.save(to: directory.file("recovered.safetensors"),
                                  metadata: ["generator": "ec identify", "probe": settings.probe])
        try result.students.safetensors(losses: report.studentRelativeLosses.map { $0 * variance })
            .write(to: directory.file("students.safetensors"))
        try writeReport(report)
        try IdentifyPictures(report: report).write(to: directory.url)
        return Outcome(recovered: result.recovered, report: report)
    }

    /// The method and the comparison with the teacher (in the result's report); returns the probe
    /// targets' variance too, which scales the students' saved losses.
    private func identify(clock: PhaseClock, progress: @escaping (ProgressEvent) -> Void,
                          stopRequested: @escaping StopRequest) throws -> (IdentifyResult, Double) {
        let probe = try ProbeSet<Double>.load(from: URL(fileURLWithPath: settings.probe))
        let teacher = try settings.teacher.map { try Network<Double>.load(from: URL(fileURLWithPath: $0)) }
        if let teacher {
            guard teacher.inputCount == probe.inputs.columns, teacher.outputCount == probe.targets.columns else {
                throw ECError.shapeMismatch("\(settings.teacher!) maps \(teacher.inputCount) → \(teacher.outputCount) but \(settings.probe) has x [\(probe.inputs.rows), \(probe.inputs.columns)] and y [\(probe.targets.rows), \(probe.targets.columns)]")
            }
        }
        let variance = try targetVariance(probe.targets)   // refused before any device is set up
        try settings.options.validate(inputs: probe.inputs.columns)
        try directory.saveSettings(settings)
        let device = try settings.options.backend.describe(precision: settings.options.precision)
        progress(.note("running on \(device)"))
        var result = try Identification(options: settings.options, store: directory, stopRequested: stopRequested)
            .run(inputs: probe.inputs, targets: probe.targets, clock: clock, progress: progress)
        result.report.device = device
        if let teacher {
            let fresh = try settings.freshInputs.map { try ProbeInputs.named($0, limit: nil) }
                ?? ProbeInputs.gaussian(count: settings.freshSamples, dimension: probe.inputs.columns,
                                        seed: settings.options.seed &+ 0xF4E5)
            result.report.comparison = try NetworkComparison(teacher: teacher, recovered: result.recovered, freshInputs: fresh,
                                                             inputMask: settings.options.inputMask)
        }
        return (result, variance)
    }

    private func writeReport(_ report: IdentifyReport) throws {
        try writeJSONAtomically(report, to: directory.file("report.json"))
    }
}
