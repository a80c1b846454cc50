import COpenCL
import ECCore

/// A failure reported by the OpenCL driver, or a request the runtime refuses before it reaches
/// the driver (a size that does not fit a buffer, a work size of the wrong rank).
///
/// Each error names what failed so that a report from a remote GPU machine is actionable on its
/// own: `clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5) [kernel adam]`.
public enum OpenCLError: Error, CustomStringConvertible {
    /// An OpenCL call returned a status other than `CL_SUCCESS`. `detail` names the object involved.
    case callFailed(call: String, status: Int32, detail: String?)
    /// A program did not build for a device; `log` is the compiler's full output.
    case buildFailed(device: String, options: String, status: Int32, log: String)
    /// A request that cannot be right whatever the driver: checked here because OpenCL would
    /// either reject it with a vaguer code or, for host-side sizes, read or write out of bounds.
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .callFailed(let call, let status, let detail):
            "\(call) failed: \(OpenCLError.name(of: status)) (\(status))" + (detail.map { " [\($0)]" } ?? "")
        case .buildFailed(let device, let options, let status, let log):
            "clBuildProgram failed: \(OpenCLError.name(of: status)) (\(status)) on \(device) with "
                + (options.isEmpty ? "no options" : "options '\(options)'")
                + (log.isEmpty ? "" : "\n" + log)
        case .invalidRequest(let message):
            message
        }
    }

    /// The error as the command line reports device problems: one line. A failed build keeps the
    /// compiler's first error (or its first line) from the log; `description` has the whole log.
    public var asECError: ECError {
        guard case .buildFailed(_, _, _, let log) = self else { return .device(description) }
        let summary = String(description.prefix { !$0.isNewline })
        let lines = log.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = lines.first(where: { $0.localizedCaseInsensitiveContains("error") }) ?? lines.first(where: { !$0.isEmpty })
        else { return .device(summary) }
        return .device("\(summary): \(first)")
    }

    /// The symbolic name of an OpenCL status code, e.g. `CL_OUT_OF_RESOURCES` for -5.
    public static func name(of status: Int32) -> String {
        statusNames[status] ?? "unknown OpenCL status"
    }

    /// Standard codes of OpenCL 1.0 to 3.0, plus the extension codes a user may meet in practice.
    /// Written out rather than taken from the header because the header hides codes newer than
    /// the targeted OpenCL 1.2, and a newer driver may still return them.
    private static let statusNames: [Int32: String] = [
        0: "CL_SUCCESS",
        -1: "CL_DEVICE_NOT_FOUND",
        -2: "CL_DEVICE_NOT_AVAILABLE",
        -3: "CL_COMPILER_NOT_AVAILABLE",
        -4: "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5: "CL_OUT_OF_RESOURCES",
        -6: "CL_OUT_OF_HOST_MEMORY",
        -7: "CL_PROFILING_INFO_NOT_AVAILABLE",
        -8: "CL_MEM_COPY_OVERLAP",
        -9: "CL_IMAGE_FORMAT_MISMATCH",
        -10: "CL_IMAGE_FORMAT_NOT_SUPPORTED",
        -11: "CL_BUILD_PROGRAM_FAILURE",
        -12: "CL_MAP_FAILURE",
        -13: "CL_MISALIGNED_SUB_BUFFER_OFFSET",
        -14: "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        -15: "CL_COMPILE_PROGRAM_FAILURE",
        -16: "CL_LINKER_NOT_AVAILABLE",
        -17: "CL_LINK_PROGRAM_FAILURE",
        -18: "CL_DEVICE_PARTITION_FAILED",
        -19: "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        -30: "CL_INVALID_VALUE",
        -31: "CL_INVALID_DEVICE_TYPE",
        -32: "CL_INVALID_PLATFORM",
        -33: "CL_INVALID_DEVICE",
        -34: "CL_INVALID_CONTEXT",
        -35: "CL_INVALID_QUEUE_PROPERTIES",
        -36: "CL_INVALID_COMMAND_QUEUE",
        -37: "CL_INVALID_HOST_PTR",
        -38: "CL_INVALID_MEM_OBJECT",
        -39: "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
        -40: "CL_INVALID_IMAGE_SIZE",
        -41: "CL_INVALID_SAMPLER",
        -42: "CL_INVALID_BINARY",
        -43: "CL_INVALID_BUILD_OPTIONS",
        -44: "CL_INVALID_PROGRAM",
        -45: "CL_INVALID_PROGRAM_EXECUTABLE",
        -46: "CL_INVALID_KERNEL_NAME",
        -47: "CL_INVALID_KERNEL_DEFINITION",
        -48: "CL_INVALID_KERNEL",
        -49: "CL_INVALID_ARG_INDEX",
        -50: "CL_INVALID_ARG_VALUE",
        -51: "CL_INVALID_ARG_SIZE",
        -52: "CL_INVALID_KERNEL_ARGS",
        -53: "CL_INVALID_WORK_DIMENSION",
        -54: "CL_INVALID_WORK_GROUP_SIZE",
        -55: "CL_INVALID_WORK_ITEM_SIZE",
        -56: "CL_INVALID_GLOBAL_OFFSET",
        -57: "CL_INVALID_EVENT_WAIT_LIST",
        -58: "CL_INVALID_EVENT",
        -59: "CL_INVALID_OPERATION",
        -60: "CL_INVALID_GL_OBJECT",
        -61: "CL_INVALID_BUFFER_SIZE",
        -62: "CL_INVALID_MIP_LEVEL",
        -63: "CL_INVALID_GLOBAL_WORK_SIZE",
        -64: "CL_INVALID_PROPERTY",
        -65: "CL_INVALID_IMAGE_DESCRIPTOR",
        -66: "CL_INVALID_COMPILER_OPTIONS",
        -67: "CL_INVALID_LINKER_OPTIONS",
        -68: "CL_INVALID_DEVICE_PARTITION_COUNT",
        -69: "CL_INVALID_PIPE_SIZE",
        -70: "CL_INVALID_DEVICE_QUEUE",
        -71: "CL_INVALID_SPEC_ID",
        -72: "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        -1000: "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR",
        -1001: "CL_PLATFORM_NOT_FOUND_KHR",
        -1057: "CL_DEVICE_PARTITION_FAILED_EXT",
        -1058: "CL_INVALID_PARTITION_COUNT_EXT",
        -1059: "CL_INVALID_PARTITION_NAME_EXT",
        -1092: "CL_EGL_RESOURCE_NOT_ACQUIRED_KHR",
        -1093: "CL_INVALID_EGL_OBJECT_KHR",
        -1094: "CL_INVALID_ACCELERATOR_INTEL",
        -1095: "CL_INVALID_ACCELERATOR_TYPE_INTEL",
        -1096: "CL_INVALID_ACCELERATOR_DESCRIPTOR_INTEL",
        -1097: "CL_ACCELERATOR_TYPE_NOT_SUPPORTED_INTEL",
        -1108: "CL_COMMAND_TERMINATED_ITSELF_WITH_FAILURE_ARM",
        -1121: "CL_CONTEXT_TERMINATED_KHR",
        -1138: "CL_INVALID_COMMAND_BUFFER_KHR",
        -1139: "CL_INVALID_SYNC_POINT_WAIT_LIST_KHR",
        -1140: "CL_INCOMPATIBLE_COMMAND_QUEUE_KHR",
        -1141: "CL_INVALID_MUTABLE_COMMAND_KHR",
        -1142: "CL_INVALID_SEMAPHORE_KHR",
        // Not in any header: NVIDIA's driver returns it after a kernel read or wrote out of bounds.
        -9999: "NVIDIA_ILLEGAL_MEMORY_ACCESS",
    ]
}

/// Throws `OpenCLError.callFailed` unless `status` is `CL_SUCCESS`.
func check(_ status: cl_int, _ call: String, _ detail: @autoclosure () -> String? = nil) throws(OpenCLError) {
    guard status == CL_SUCCESS else {
        throw .callFailed(call: call, status: status, detail: detail())
    }
}

/// Calls an OpenCL constructor (`clCreateBuffer`, `clCreateKernel`, ...), which reports its
/// status through an out-parameter, and returns the created object or throws.
func create<Handle>(_ call: String, _ detail: @autoclosure () -> String? = nil,
                    _ body: (UnsafeMutablePointer<cl_int>) -> Handle?) throws(OpenCLError) -> Handle {
    var status: cl_int = CL_SUCCESS
    let handle = body(&status)
    try check(status, call, detail())
    // A driver that reports success without an object is broken; say which call it was.
    guard let handle else {
        throw .callFailed(call: call, status: CL_INVALID_VALUE, detail: detail())
    }
    return handle
}
