import ArgumentParser
import ECCore
import ECEngine
import ECFormats
import ExpandCluster
import Foundation

extension Precision: ExpressibleByArgument {}

extension InputMaskRule: ExpressibleByArgument {}

extension BackendChoice.Kind: ExpressibleByArgument {}

extension Activation: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = try? Activation(name: argument) else { return nil }
        self = parsed
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// Which device trains, and in what precision.
struct EngineOptions: ParsableArguments {
    @Option(help: "auto (OpenCL on a GPU if there is one, else CPU), cpu, or opencl (any OpenCL device).")
    var backend: BackendChoice.Kind = .auto

    @Option(help: "OpenCL device: index in `ec devices` or part of its name (default: EC_OPENCL_DEVICE, else the first GPU).")
    var device: String?

    @Option(name: .customLong("precision"),
            help: "float32 or float64 (default: float64, but float32 for teachers and benchmarks).")
    var precisionChoice: Precision?

    /// The precision asked for, or the command's default.
    func precision(default fallback: Precision) -> Precision { precisionChoice ?? fallback }

    /// The precision of identification: float64 unless asked otherwise, since a found toy teacher
    /// shows in losses of 1e-10 and below.
    var precision: Precision { precision(default: .float64) }

    var selection: BackendChoice { BackendChoice(kind: backend, device: device) }
}

/// The plateau schedule of a student training (`ec train`, and the expansion of `ec identify`).
struct PlateauOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Epochs without improvement before the plateau schedule lowers the rate by 1/√10.")
    var patience = 100
    @Option(parsing: .unconditional, help: "Epochs after a lowering before the plateau schedule counts again.")
    var cooldown = 100
    @Flag(inversion: .prefixedNo,
          help: "Also scale the rate by (1 + cos(π·epoch/epochs))/2, down to 0 at the epoch cap (default: off; on at large scale in `identify`).")
    var cosineDecay: Bool?
    @Option(parsing: .unconditional,
            help: "A student stops when its best loss has not halved over this many epochs; 0: never (default: 1000 for one hidden layer, never deeper).")
    var stallWindow: Int?

    func validate() throws {
        try FlagCheck.require(patience >= 0, "--patience", "at least 0", got: patience)
        try FlagCheck.require(cooldown >= 0, "--cooldown", "at least 0", got: cooldown)
        if let stallWindow { try FlagCheck.require(stallWindow >= 0, "--stall-window", "at least 0", got: stallWindow) }
    }

    /// The schedule of a training of students with `hiddenLayers` hidden layers capped at `epochs`;
    /// `cosineByDefault` is the cosine decay's setting when neither flag is given.
    func options(epochs: Int, hiddenLayers: Int, cosineByDefault: Bool = false) -> PlateauSchedule.Options {
        .init(patience: patience, cooldown: cooldown, cosineEpochs: cosineDecay ?? cosineByDefault ? epochs : nil,
              stallWindow: stallWindow.map { $0 > 0 ? $0 : nil } ?? PlateauSchedule.Options.stallWindow(hiddenLayers: hiddenLayers))
    }
}

/// Hidden widths as "8" or "30,30,30".
struct Widths: ExpressibleByArgument {
    let values: [Int]

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        values = parts.map { $0! }
    }

    /// For `validate()`: every width must be positive.
    func validate(_ flag: String) throws {
        if let bad = values.first(where: { $0 <= 0 }) {
            throw ValidationError("\(flag) must all be positive (got \(bad))")
        }
    }
}

/// A path argument resolved against the current directory.
func fileURL(_ path: String) -> URL { URL(fileURLWithPath: path) }

/// Pretty, sorted JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try JSONEncoder.forFiles.encode(value), as: UTF8.self))
}
