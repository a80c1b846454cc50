import Foundation
import PackagePlugin

/// Turns every `Kernels/*.cl` file into a Swift string constant inside the target that uses the
/// plugin, so that a single static `ec` binary carries its OpenCL sources.
@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let kernels = context.package.directoryURL.appending(path: "Kernels")
        let sources = try FileManager.default
            .contentsOfDirectory(at: kernels, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "cl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "KernelSources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(sources.count) OpenCL kernel sources",
                executable: try context.tool(named: "embed-kernels").url,
                arguments: [output.path] + sources.map(\.path),
                inputFiles: sources,
                outputFiles: [output])
        ]
    }
}
