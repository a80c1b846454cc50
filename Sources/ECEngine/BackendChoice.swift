import ECCore
import Foundation

/// Which device trains the students, as the user chose it (`--backend`, `--device`), and
/// resolved to the device a run will use.
public struct BackendChoice: Sendable, Codable, Equatable {
    /// Which implementation trains the students.
    public enum Kind: String, CaseIterable, Sendable, Codable {
        /// OpenCL on a GPU when the machine has one, the CPU otherwise.
        case auto
        /// `CPUBackend` (OpenBLAS).
        case cpu
        /// `OpenCLBackend` on any OpenCL device, CPU devices such as PoCL included.
        case opencl
    }

    /// The choice with the device resolved: what a run uses.
    public enum Resolved: Sendable, Equatable {
        case cpu
        case opencl(OpenCLDevice)

        /// The device in words, as every run prints it.
        public func describe(precision: Precision) -> String {
            switch self {
            case .cpu: "CPU (OpenBLAS \(OpenBLAS.coreName), \(ProcessorShare.cores) core\(ProcessorShare.cores == 1 ? "" : "s"), \(precision.rawValue))"
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

        /// The most device memory this process's OpenCL context held at once; nil on the CPU.
        public var peakDeviceMemoryBytes: Int? {
            guard case .opencl(let device) = self else { return nil }
            return (try? OpenCLContext.shared(on: device))?.peakAllocatedBytes
        }
    }

    public var kind: Kind
    /// The `--device` flag: an index into `OpenCLDevice.all()` or part of a device or platform
    /// name; nil defers to `EC_OPENCL_DEVICE`, then to the first GPU. With `auto`, a device named
    /// either way means OpenCL on it.
    public var device: String?

    public init(kind: Kind = .auto, device: String? = nil) {
        self.kind = kind
        self.device = device
    }

    /// The device a run in `precision` uses.
    /// - Throws: `ECError.device` with one line when `opencl` finds no OpenCL device or the driver
    ///   fails; `ECError.invalidArgument` for a device that matches none.
    public func resolve(precision: Precision,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Resolved {
        func openCL() throws -> Resolved {
            do {
                return .opencl(try OpenCLDevice.select(device, environment: environment, requireFloat64: precision == .float64))
            } catch let error as OpenCLError {
                throw error.asECError
            }
        }
        switch kind {
        case .cpu:
            return .cpu
        case .opencl:
            return try openCL()
        case .auto:
            // A device named by the flag or by EC_OPENCL_DEVICE means OpenCL on it, or an error.
            let named = !(device ?? environment[OpenCLDevice.environmentVariable] ?? "").trimmingCharacters(in: .whitespaces).isEmpty
            // A driver that fails to list its devices means no usable GPU here, not an error.
            let gpu = ((try? OpenCLDevice.all()) ?? []).contains {
                $0.kind == .gpu && (precision == .float32 || $0.supportsFloat64)
            }
            return named || gpu ? try openCL() : .cpu
        }
    }
}
