import ECCore
import Foundation

/// Choosing a device and describing the choice. The logic works on any device list, so that it
/// is testable on lists this machine does not have; the entry points without a `from:` list use
/// the devices the driver reports.
extension OpenCLDevice {
    /// The environment variable that names a device when the command line does not.
    public static let environmentVariable = "EC_OPENCL_DEVICE"
    /// Set by Open MPI's mpirun: a rank's place among the ranks on its host.
    public static let localRankVariable = "OMPI_COMM_WORLD_LOCAL_RANK"

    /// The one-line message for a machine without any OpenCL device.
    public static let noDeviceMessage = "no OpenCL device found (is an OpenCL driver installed? "
        + "`clinfo -l` lists what the ICD loader sees; NVIDIA's driver registers itself in "
        + "/etc/OpenCL/vendors/nvidia.icd)"

    /// The device to run on, among all devices of this machine.
    ///
    /// - Parameters:
    ///   - preference: the `--device` flag; when nil, `EC_OPENCL_DEVICE` from `environment`.
    ///     Either is an index into `all()` or a case-insensitive part of a device or platform name.
    ///   - requireFloat64: skip devices without doubles when nothing is preferred, and refuse a
    ///     preferred device without them.
    /// - Returns: the preferred device, else the first in `all()` order (a GPU if there is one);
    ///   under mpirun, the GPU numbered by the rank's local rank (modulo the GPUs), so that the
    ///   ranks on a multi-GPU host take one GPU each.
    /// - Throws: `ECError.device` when there is no (suitable) device, `ECError.invalidArgument`
    ///   when the preference matches no device or several.
    public static func select(_ preference: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              requireFloat64: Bool = false) throws -> OpenCLDevice {
        try select(preference, from: all(), environment: environment, requireFloat64: requireFloat64)
    }

    /// As `select(_:environment:requireFloat64:)`, among `devices` (put in `ordered` order, so
    /// that indices mean what they mean in a listing).
    public static func select(_ preference: String?, from devices: [OpenCLDevice],
                              environment: [String: String] = [:],
                              requireFloat64: Bool = false) throws -> OpenCLDevice {
        let devices = ordered(devices)
        return devices[try chosenIndex(preference, in: devices, environment: environment,
                                       requireFloat64: requireFloat64)]
    }

    /// One line naming the device, for "ran on ..." messages:
    /// `NVIDIA H100 80GB HBM3 (NVIDIA CUDA, GPU, 79.1 GiB, 132 CUs, fp64)`.
    public func describe() -> String {
        "\(name) (\(platformName), \(kind), \(gibibytes(globalMemoryBytes)), \(computeUnits) CUs, "
            + (supportsFloat64 ? "fp64)" : "no fp64)")
    }

    /// A table of this machine's devices for `ec devices`, the default device marked with `*`.
    public static func listing(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        listing(of: try all(), environment: environment)
    }

    /// A table of `devices` (in `ordered` order): index, platform, device, kind, global memory,
    /// compute units, maximum work-group size and doubles, with `*` on the device `select` picks
    /// when no `--device` is given.
    public static func listing(of devices: [OpenCLDevice], environment: [String: String] = [:]) -> String {
        let devices = ordered(devices)
        guard !devices.isEmpty else { return noDeviceMessage }
        let header = ["", "#", "platform", "device", "kind", "memory", "CUs", "max WG", "fp64"]
        let chosen = Result { try defaultIndex(among: devices, environment: environment) }
        let rows = devices.enumerated().map { index, device in
            [(try? chosen.get()) == index ? "*" : "", "\(index)", device.platformName, device.name,
             "\(device.kind)", gibibytes(device.globalMemoryBytes), "\(device.computeUnits)",
             "\(device.maxWorkGroupSize)", device.supportsFloat64 ? "yes" : "no"]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        // Every column but the last is padded to its width, so lines carry no trailing blanks.
        let lines = ([header] + rows).map { cells in
            (zip(cells.dropLast(), widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                + [cells.last!]).joined(separator: "  ")
        }
        let footer = switch chosen {
        case .success:
            requested(nil, environment: environment).map { "* chosen by \($0.1)" }
                ?? environment[localRankVariable].map { "* chosen for MPI local rank \($0) (neither --device nor \(environmentVariable) is given)" }
                ?? "* chosen when neither --device nor \(environmentVariable) is given"
        case .failure(let error):
            "no default device: \(error)"
        }
        return (lines + [footer]).joined(separator: "\n")
    }

    /// The position in `ordered(devices)` of the device `select` picks when no `--device` is given
    /// (the one listings mark as the default).
    /// - Throws: as `select` does, e.g. when `EC_OPENCL_DEVICE` matches no device.
    public static func defaultIndex(among devices: [OpenCLDevice], environment: [String: String]) throws -> Int {
        try chosenIndex(nil, in: ordered(devices), environment: environment, requireFloat64: false)
    }

    /// The index in `devices` (already ordered) of the device to use; see `select`.
    private static func chosenIndex(_ preference: String?, in devices: [OpenCLDevice],
                                    environment: [String: String], requireFloat64: Bool) throws -> Int {
        let request = requested(preference, environment: environment)
        guard !devices.isEmpty else {
            // Name the flag or variable that asked for a device: it is what the user can change.
            throw ECError.device((request.map { "\($0.1): " } ?? "") + noDeviceMessage)
        }
        guard let (request, source) = request else {
            let suitable = devices.indices.filter { !requireFloat64 || devices[$0].supportsFloat64 }
            let gpus = suitable.filter { devices[$0].kind == .gpu }
            if let localRank = Int(environment[localRankVariable] ?? ""), localRank >= 0, !gpus.isEmpty {
                return gpus[localRank % gpus.count]
            }
            if let index = suitable.first { return index }
            throw ECError.device("no OpenCL device supports float64 (cl_khr_fp64); devices: \(summary(devices))")
        }
        let index = try matchingIndex(request, source: source, in: devices)
        if requireFloat64 && !devices[index].supportsFloat64 {
            throw ECError.device("\(source) chose \(devices[index].name), which does not support "
                                 + "float64 (cl_khr_fp64); run in float32 or choose another device")
        }
        return index
    }

    /// The preference in force, the flag before the environment, with how the user gave it (for
    /// messages); nil when neither is given or both are blank.
    private static func requested(_ flag: String?, environment: [String: String]) -> (String, String)? {
        func nonBlank(_ text: String?) -> String? {
            text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let request = nonBlank(flag) { return (request, "--device '\(request)'") }
        if let request = nonBlank(environment[environmentVariable]) {
            return (request, "\(environmentVariable)='\(request)'")
        }
        return nil
    }

    /// Resolves a preference: an index, else a part of a device or platform name matching exactly
    /// one device, or one device whose whole name it is (two identical GPUs need an index).
    private static func matchingIndex(_ request: String, source: String, in devices: [OpenCLDevice]) throws -> Int {
        if let index = Int(request) {
            guard devices.indices.contains(index) else {
                throw ECError.invalidArgument("\(source): there is no device \(index); devices: \(summary(devices))")
            }
            return index
        }
        let key = request.lowercased()
        let candidates = devices.indices.filter {
            devices[$0].name.lowercased().contains(key) || devices[$0].platformName.lowercased().contains(key)
        }
        let exact = candidates.filter { devices[$0].name.lowercased() == key }
        if candidates.count == 1 { return candidates[0] }
        if exact.count == 1 { return exact[0] }
        if candidates.isEmpty {
            throw ECError.invalidArgument("\(source) matches no OpenCL device; devices: \(summary(devices))")
        }
        throw ECError.invalidArgument("\(source) matches \(candidates.count) devices: "
                                      + "\(summary(devices, only: candidates)); give an index instead")
    }

    /// `0: NVIDIA H100 (NVIDIA CUDA), 1: ...` for one-line error messages.
    private static func summary(_ devices: [OpenCLDevice], only indices: [Int]? = nil) -> String {
        (indices ?? Array(devices.indices))
            .map { "\($0): \(devices[$0].name) (\(devices[$0].platformName))" }
            .joined(separator: ", ")
    }
}

/// Bytes as GiB with one decimal, the unit device memory is quoted in.
private func gibibytes(_ bytes: Int) -> String {
    String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
}
