import ECCore
import ECDistributed
import ECEngine
import ECFormats
import Foundation

/// How the suite's problems are run; saved in the suite directory so that a resumed suite runs
/// its remaining problems exactly like the finished ones.
public struct SuiteSettings: Sendable, Codable, Equatable {
    public var students: Int
    public var samples: Int
    public var epochs: Int
    /// The expansion's Adam rate; nil: identify's default. Optional, so that a suite directory
    /// written before it existed still continues.
    public var learningRate: Double?
    public var precision: Precision
    /// The precision of Adam's steps (`IdentifyOptions.setAdamPrecision`); nil: identify's default.
    public var adamPrecision: Precision?
    public var backend: BackendChoice

    public init(students: Int = 20, samples: Int = 4000, epochs: Int = 3000, learningRate: Double? = nil,
                precision: Precision = .float64, adamPrecision: Precision? = nil, backend: BackendChoice = .init()) {
        self.students = students
        self.samples = samples
        self.epochs = epochs
        self.learningRate = learningRate
        self.precision = precision
        self.adamPrecision = adamPrecision
        self.backend = backend
    }

    /// The identification settings of one problem at one ρ (the teacher's width is the reference).
    public func options(for problem: ToyProblem, rho: Double) -> IdentifyOptions {
        var options = IdentifyOptions(activation: problem.activation, hiddenLayers: 1, referenceWidths: [problem.hidden],
                                      students: students, rho: rho, precision: precision, backend: backend,
                                      expansionEpochs: epochs, seed: RandomSource.seed(named: problem.name))
        if let learningRate { options.expansion.learningRate = learningRate }
        if let adamPrecision { options.setAdamPrecision(adamPrecision) }
        return options
    }
}

/// Runs the toy suite into a directory: one identification per problem and ρ, each finished one
/// appended to results.jsonl (the commit point), so that a killed suite continues where it
/// stopped; summary.md and summary.json are rewritten after every result. Under MPI the ranks
/// share the problems (`SuiteDesk`) and rank 0 writes the suite's files.
public struct SuiteRunner {
    public let directory: URL
    public let settings: SuiteSettings
    public let ranks: Ranks
    var resultsURL: URL { directory.appendingPathComponent("results.jsonl") }

    public init(directory: URL, settings: SuiteSettings, ranks: Ranks = .single) throws {
        self.directory = directory
        self.settings = settings
        self.ranks = ranks
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("runs"), withIntermediateDirectories: true)
        guard ranks.isRoot else { return }
        let settingsURL = directory.appendingPathComponent("settings.json")
        if let data = FileManager.default.contents(atPath: settingsURL.path) {
            let previous = try? JSONDecoder.forFiles.decode(SuiteSettings.self, from: data)
            guard previous == settings else {
                throw ECError.invalidArgument("\(directory.relativePath) holds a suite run with other settings (see its settings.json); use the same flags to continue it, or another --output")
            }
        } else {
            try writeJSONAtomically(settings, to: settingsURL)
        }
    }

    /// The results recorded so far (torn lines from a killed run are skipped).
    public func results() -> [SuiteResult] {
        guard let data = FileManager.default.contents(atPath: resultsURL.path) else { return [] }
        let decoder = JSONDecoder.forFiles
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(SuiteResult.self, from: Data($0)) }
    }

    /// Identifies every problem not yet in results.jsonl; `stopRequested` is asked before every
    /// problem and phase and after every training epoch, and true stops the suite there with
    /// `RunStopped` (the problem's run directory holds the checkpoint the next run resumes from).
    public func run(problems: [ToyProblem], rhos: [Double], progress: @escaping (ProgressEvent) -> Void,
                    stopRequested: @escaping StopRequest = { false }, onResult: @escaping (SuiteResult) -> Void) throws -> SuiteSummary {
        guard !rhos.isEmpty, rhos.allSatisfy({ $0 > 0 }) else {
            throw ECError.invalidArgument("--rho needs positive values (got \(rhos))")
        }
        let done = Set(try ranks.rootValue { results().map { "\($0.problem)@\($0.rho)" } })
        let all = rhos.flatMap { rho in problems.map { (rho: rho, problem: $0) } }
        let pending = all.indices.filter { !done.contains("\(all[$0].problem.name)@\(all[$0].rho)") }
        let desk = SuiteDesk(ranks: ranks, count: pending.count) { result in
            try append(result)
            onResult(result)
            try writeSummary()
        }
        do {
            while let next = try desk.takeNext() {
                let (rho, problem) = all[pending[next]]
                try RunStopped.check(stopRequested, before: "\(problem.name) at ρ = \(SuiteSummary.key(rho))")
                progress(.note("[\(pending[next] + 1)/\(all.count)] \(problem.name) at ρ = \(SuiteSummary.key(rho))"))
                try desk.hand(try solve(problem, rho: rho, progress: progress, stopRequested: stopRequested))
            }
        } catch let stop as RunStopped {
            // The other ranks finish their problems, or stop too; rank 0's desk records them.
            try desk.close()
            throw stop
        }
        try desk.close()
        return ranks.isRoot ? try writeSummary() : SuiteSummary(results: [])
    }

    /// One problem at one ρ in its own run directory (which resumes a killed identification).
    private func solve(_ problem: ToyProblem, rho: Double, progress: @escaping (ProgressEvent) -> Void,
                       stopRequested: @escaping StopRequest) throws -> SuiteResult {
        let runURL = directory.appendingPathComponent("runs").appendingPathComponent("\(problem.name)-rho\(SuiteSummary.key(rho))")
        try FileManager.default.createDirectory(at: runURL, withIntermediateDirectories: true)
        let teacherURL = runURL.appendingPathComponent("teacher.safetensors")
        let probeURL = runURL.appendingPathComponent("probe.npz")
        let teacher = try problem.teacher()
        if !FileManager.default.fileExists(atPath: probeURL.path) {
            try teacher.save(to: teacherURL, metadata: ["problem": problem.name])
            let inputs = try ProbeInputs.gaussian(count: settings.samples, dimension: problem.inputs,
                                                  seed: RandomSource.seed(named: problem.name + "/probe"))
            try ProbeSet(inputs: inputs, targets: teacher(inputs)).save(to: probeURL)
        }
        let run = try IdentifyRun(settings: IdentifySettings(probe: probeURL.path, teacher: teacherURL.path,
                                                             options: settings.options(for: problem, rho: rho)),
                                  directory: runURL)
        let outcome = try run.run(progress: progress, stopRequested: stopRequested)
        // The checkpoints are only needed while the problem runs.
        try? FileManager.default.removeItem(at: runURL.appendingPathComponent("checkpoints"))
        let comparison = outcome.report.comparison!
        let layer = comparison.layers[0]
        return SuiteResult(problem: problem.name, activation: problem.activation, inputs: problem.inputs,
                           hidden: problem.hidden, seed: problem.seed, grade: problem.grade, rho: rho,
                           identified: comparison.identified, recoveredWidth: layer.recoveredWidth,
                           worstIncomingDegrees: layer.incoming.worstDegrees, medianIncomingDegrees: layer.incoming.medianDegrees,
                           relativeMSE: comparison.relativeMSE,
                           bestStudentRelativeLoss: outcome.report.studentRelativeLosses.filter(\.isFinite).min() ?? .nan,
                           seconds: outcome.report.phaseSeconds["total", default: 0], device: outcome.report.device,
                           reducedStudent: outcome.report.reducedStudent?.student)
    }

    private func append(_ result: SuiteResult) throws {
        let line = try JSONEncoder.forLines.encode(result) + Data("\n".utf8)
        if !FileManager.default.fileExists(atPath: resultsURL.path),
           !FileManager.default.createFile(atPath: resultsURL.path, contents: nil) {
            throw ECError.invalidFile(path: resultsURL.relativePath, problem: "cannot be created")
        }
        let handle = try FileHandle(forWritingTo: resultsURL)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.synchronize()
    }

    /// summary.json, summary.md and the pictures, from the results so far.
    @discardableResult
    public func writeSummary() throws -> SuiteSummary {
        let results = results()
        let summary = SuiteSummary(results: results)
        try writeJSONAtomically(summary, to: directory.appendingPathComponent("summary.json"))
        try writeFileAtomically("# Toy suite: identified / problems\n\n" + summary.markdown + "\n",
                                to: directory.appendingPathComponent("summary.md"))
        try SuitePictures(results: results).write(to: directory)
        return summary
    }
}
