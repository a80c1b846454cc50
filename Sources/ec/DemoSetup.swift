import ECCore
import ECDistributed
import ExpandCluster
import Foundation

/// The built-in demo of `ec identify` without arguments.
enum DemoSetup {
    /// Under mpirun rank 0 writes the teacher and probe set and the others take its settings.
    static func prepare(directory: URL, engine: EngineOptions, printer: ProgressPrinter, ranks: Ranks) throws -> IdentifyRun {
        // Everything that can fail comes before the note, so that a failure is the only line
        // printed: the device first, before any file is written.
        _ = try engine.selection.resolve(precision: engine.precision)
        let settings = try ranks.rootValue {
            try IdentifyDemo.prepare(directory: directory, backend: engine.selection, precision: engine.precision)
        }
        let run = try IdentifyRun(settings: settings, directory: directory, ranks: ranks)
        printer.handle(.note("demo: toy teacher 4-4-1 (activation g), 4,000 Gaussian probe inputs, output in \(directory.relativePath)"))
        return run
    }
}
