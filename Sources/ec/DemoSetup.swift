import ECCore
import ExpandCluster
import Foundation

/// The built-in demo of `ec identify` without arguments.
enum DemoSetup {
    static func prepare(directory: URL, engine: EngineOptions, printer: ProgressPrinter) throws -> IdentifyRun {
        // Everything that can fail comes before the note, so that a failure is the only line
        // printed: the device first, before any file is written.
        _ = try engine.selection.resolve(precision: engine.precision)
        let settings = try IdentifyDemo.prepare(directory: directory, backend: engine.selection, precision: engine.precision)
        let run = try IdentifyRun(settings: settings, directory: directory)
        printer.handle(.note("demo: toy teacher 4-4-1 (activation g), 10,000 Gaussian probe inputs, output in \(directory.relativePath)"))
        return run
    }
}
