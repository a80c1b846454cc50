import ECCore
import Foundation

/// Which implementation trains the students.
public enum BackendKind: String, CaseIterable, Sendable {
    /// OpenCL on a GPU when the machine has one, the CPU otherwise.
    case auto
    /// `CPUBackend` (OpenBLAS).
    case cpu
    /// `OpenCLBackend` on any OpenCL device, CPU devices such as PoCL included.
    case opencl
}

/// The backend `kind` asks for, built for `data` and `bank`.
///
/// - Parameters:
///   - preference: the `--device` flag (an index into `OpenCLDevice.all()` or part of a device
///     or platform name); nil defers to `EC_OPENCL_DEVICE`, then to the first GPU. With `auto`,
///     naming a device means OpenCL on it.
/// - Throws: `ECError.device` with one line when `opencl` finds no OpenCL device or the driver
///   fails, and with the device, the options and the build log when a kernel does not compile;
///   `ECError.invalidArgument` for a preference that matches no device.
public func makeTrainingBackend<T: Real>(_ kind: BackendKind, device preference: String?, data: TrainingData<T>,
                                         bank: StudentBank<T>, optimizerState: OptimizerState<T>? = nil,
                                         configuration: EngineConfiguration) throws -> any TrainingBackend<T> {
    func openCL() throws -> any TrainingBackend<T> {
        do {
            let device = try OpenCLDevice.select(preference, requireFloat64: T.precision == .float64)
            return try OpenCLBackend(device: device, data: data, bank: bank, optimizerState: optimizerState,
                                     configuration: configuration)
        } catch let error as OpenCLError {
            throw error.asECError
        }
    }
    switch kind {
    case .cpu:
        return try CPUBackend(data: data, bank: bank, optimizerState: optimizerState, configuration: configuration)
    case .opencl:
        return try openCL()
    case .auto:
        let named = !(preference ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        // A driver that fails to list its devices means no usable GPU here, not an error.
        let gpu = ((try? OpenCLDevice.all()) ?? []).contains {
            $0.kind == .gpu && (T.precision == .float32 || $0.supportsFloat64)
        }
        return named || gpu
            ? try openCL()
            : try CPUBackend(data: data, bank: bank, optimizerState: optimizerState, configuration: configuration)
    }
}
