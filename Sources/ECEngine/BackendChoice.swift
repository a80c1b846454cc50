import ECCore
import Foundation

/// Which implementation trains the students.
public enum BackendKind: String, CaseIterable, Sendable, Codable {
    /// OpenCL on a GPU when the machine has one, the CPU otherwise.
    case auto
    /// `CPUBackend` (OpenBLAS).
    case cpu
    /// `OpenCLBackend` on any OpenCL device, CPU devices such as PoCL included.
    case opencl
}

/// A backend choice with the device resolved: what a run will use.
public enum ResolvedBackend: Sendable, Equatable {
    case cpu
    case opencl(OpenCLDevice)

    /// Resolves `kind` for a run in `precision`.
    ///
    /// - Parameters:
    ///   - preference: the `--device` flag (an index into `OpenCLDevice.all()` or part of a device
    ///     or platform name); nil defers to `EC_OPENCL_DEVICE`, then to the first GPU. With `auto`,
    ///     naming a device means OpenCL on it.
    /// - Throws: `ECError.device` with one line when `opencl` finds no OpenCL device or the driver
    ///   fails; `ECError.invalidArgument` for a preference that matches no device.
    public init(_ kind: BackendKind, device preference: String?, precision: Precision) throws {
        func openCL() throws -> ResolvedBackend {
            do {
                return .opencl(try OpenCLDevice.select(preference, requireFloat64: precision == .float64))
            } catch let error as OpenCLError {
                throw error.asECError
            }
        }
        switch kind {
        case .cpu:
            self = .cpu
        case .opencl:
            self = try openCL()
        case .auto:
            let named = !(preference ?? "").trimmingCharacters(in: .whitespaces).isEmpty
            // A driver that fails to list its devices means no usable GPU here, not an error.
            let gpu = ((try? OpenCLDevice.all()) ?? []).contains {
                $0.kind == .gpu && (precision == .float32 || $0.supportsFloat64)
            }
            self = named || gpu ? try openCL() : .cpu
        }
    }

    /// The device in words, as every run prints it.
    public func describe(precision: Precision) -> String {
        switch self {
        case .cpu: "CPU (OpenBLAS \(OpenBLAS.coreName), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(precision.rawValue))"
        case .opencl(let device): "\(device.describe()); OpenCL \(precision.rawValue)"
        }
    }

    /// A backend on this device for `data` and `bank`.
    /// - Throws: `ECError.device` with the device, the options and the build log when a kernel
    ///   does not compile.
    public func make<T: Real>(data: TrainingData<T>, bank: StudentBank<T>, optimizerState: OptimizerState<T>? = nil,
                              configuration: EngineConfiguration) throws -> any TrainingBackend<T> {
        switch self {
        case .cpu:
            return try CPUBackend(data: data, bank: bank, optimizerState: optimizerState, configuration: configuration)
        case .opencl(let device):
            do {
                return try OpenCLBackend(device: device, data: data, bank: bank, optimizerState: optimizerState,
                                         configuration: configuration)
            } catch let error as OpenCLError {
                throw error.asECError
            }
        }
    }
}

/// The backend `kind` asks for, built for `data` and `bank` (see `ResolvedBackend`).
public func makeTrainingBackend<T: Real>(_ kind: BackendKind, device preference: String?, data: TrainingData<T>,
                                         bank: StudentBank<T>, optimizerState: OptimizerState<T>? = nil,
                                         configuration: EngineConfiguration) throws -> any TrainingBackend<T> {
    try ResolvedBackend(kind, device: preference, precision: T.precision)
        .make(data: data, bank: bank, optimizerState: optimizerState, configuration: configuration)
}
