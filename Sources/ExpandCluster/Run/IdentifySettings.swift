import ECCore
import ECEngine
import ECFormats
import Foundation

/// What an `ec identify` run was started with; saved in the output directory for `--resume`.
public struct IdentifySettings: Sendable, Codable, Equatable {
    public var probe: String
    /// The probe file as the run started with it; `--resume` refuses a changed one.
    public var probeFingerprint: FileFingerprint?
    public var teacher: String?
    public var options: IdentifyOptions
    /// Fresh Gaussian inputs for the comparison (when no fresh-input file is given).
    public var freshSamples: Int
    public var freshInputs: String?

    public init(probe: String, probeFingerprint: FileFingerprint? = nil, teacher: String?, options: IdentifyOptions,
                freshSamples: Int = 10_000, freshInputs: String? = nil) {
        self.probe = probe
        self.probeFingerprint = probeFingerprint
        self.teacher = teacher
        self.options = options
        self.freshSamples = freshSamples
        self.freshInputs = freshInputs
    }
}

extension IdentifySettings {
    /// settings.json as `--resume` reads it: decoded, then every field checked, with errors naming
    /// the file and the field.
    public static func decode(_ data: Data, path: String) throws -> IdentifySettings {
        let settings = try decodeJSONFile(IdentifySettings.self, from: data, path: path)
        do {
            try settings.validate()
        } catch let error as ECError {
            throw ECError.invalidFile(path: path, problem: error.description)
        }
        return settings
    }
}
