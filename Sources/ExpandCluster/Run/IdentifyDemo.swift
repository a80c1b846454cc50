import ECCore
import ECEngine
import ECFormats
import Foundation

/// The built-in demo of bare `ec identify`: a toy teacher with the paper's activation g,
/// d = 4 inputs and r = 4 hidden neurons, probed with 4,000 Gaussian inputs (the toy suite's
/// probe size: a larger probe set needs fewer epochs, but not enough fewer to pay for its cost
/// per epoch).
public enum IdentifyDemo {
    public static let teacherWidths = [4, 4, 1]
    public static let samples = 4_000

    /// Writes teacher.safetensors and probe.npz into `directory` and returns the run settings.
    public static func prepare(directory: URL, backend: BackendChoice, precision: Precision) throws -> IdentifySettings {
        try makeDirectory(directory)
        let teacher = try Network.toyTeacher(inputs: teacherWidths[0], hiddenWidths: [teacherWidths[1]],
                                             outputs: teacherWidths[2], activation: .g, seed: 1)
        let teacherURL = directory.appendingPathComponent("teacher.safetensors")
        let probeURL = directory.appendingPathComponent("probe.npz")
        try teacher.save(to: teacherURL, metadata: ["generator": "ec identify demo"])
        let inputs = try ProbeInputs.gaussian(count: samples, dimension: teacherWidths[0], seed: 2)
        try ProbeSet(inputs: inputs, targets: teacher(inputs)).save(to: probeURL)
        // Students of toy size are polished to near machine precision, so a short expansion does.
        var options = IdentifyOptions.recipe(inputs: teacherWidths[0], samples: samples, activation: .g, hiddenLayers: 1,
                                             referenceWidths: [teacherWidths[1]], seed: 3)
        (options.precision, options.backend, options.expansion.maximumEpochs) = (precision, backend, 3000)
        return IdentifySettings(probe: probeURL.path, teacher: teacherURL.path, options: options)
    }
}
