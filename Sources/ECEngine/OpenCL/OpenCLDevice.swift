import COpenCL

/// One OpenCL device as the driver describes it, with the handles needed to open a context on it.
///
/// `OpenCLDevice.all()` lists every device of every platform in the order users see: GPUs, then
/// accelerators, then CPUs. The position in that list is the device index of `--device`.
public struct OpenCLDevice: Sendable, Hashable {
    /// What the driver says a device is; the order of the cases is the order of preference.
    public enum Kind: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        case gpu, accelerator, cpu, other

        public var description: String {
            switch self {
            case .gpu: "GPU"
            case .accelerator: "accelerator"
            case .cpu: "CPU"
            case .other: "other"
            }
        }

        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    public var platformName: String
    public var platformVersion: String
    public var name: String
    public var vendor: String
    public var kind: Kind
    public var globalMemoryBytes: Int
    public var localMemoryBytes: Int
    public var maxWorkGroupSize: Int
    public var computeUnits: Int
    public var maxClockMHz: Int
    /// E.g. "OpenCL C 1.2 ..." as the driver reports it.
    public var openCLCVersion: String
    public var driverVersion: String
    /// Whether kernels may use `double` (cl_khr_fp64, or a non-empty double-precision config).
    public var supportsFloat64: Bool

    /// The driver's handles; nil for a device described by hand (see the public initialiser).
    let handles: Handles?

    /// Platform and device ids are process-wide names the driver hands out once and never frees
    /// (root devices are not reference counted), so sharing them across threads is safe; the
    /// wrapper exists only because the imported pointer types are not `Sendable`.
    struct Handles: @unchecked Sendable, Hashable {
        let platform: cl_platform_id
        let device: cl_device_id
    }

    /// A device described by hand rather than found through the driver, for testing device
    /// selection and listings on device lists this machine does not have. A context cannot be
    /// opened on it.
    public init(platformName: String, platformVersion: String = "OpenCL 1.2", name: String,
                vendor: String = "", kind: Kind, globalMemoryBytes: Int = 0, localMemoryBytes: Int = 0,
                maxWorkGroupSize: Int = 0, computeUnits: Int = 0, maxClockMHz: Int = 0,
                openCLCVersion: String = "OpenCL C 1.2", driverVersion: String = "",
                supportsFloat64: Bool) {
        self.platformName = platformName
        self.platformVersion = platformVersion
        self.name = name
        self.vendor = vendor
        self.kind = kind
        self.globalMemoryBytes = globalMemoryBytes
        self.localMemoryBytes = localMemoryBytes
        self.maxWorkGroupSize = maxWorkGroupSize
        self.computeUnits = computeUnits
        self.maxClockMHz = maxClockMHz
        self.openCLCVersion = openCLCVersion
        self.driverVersion = driverVersion
        self.supportsFloat64 = supportsFloat64
        self.handles = nil
    }

    /// Reads a device's description from the driver.
    init(platform: cl_platform_id, device: cl_device_id) throws(OpenCLError) {
        func platformString(_ parameter: cl_platform_info) throws(OpenCLError) -> String {
            try infoString("clGetPlatformInfo") { clGetPlatformInfo(platform, parameter, $0, $1, $2) }
        }
        func deviceString(_ parameter: cl_device_info) throws(OpenCLError) -> String {
            try infoString("clGetDeviceInfo") { clGetDeviceInfo(device, parameter, $0, $1, $2) }
        }
        func deviceValue<Value: BitwiseCopyable>(_ parameter: cl_device_info, as type: Value.Type) throws(OpenCLError) -> Value {
            try infoValue("clGetDeviceInfo", as: type) { clGetDeviceInfo(device, parameter, $0, $1, $2) }
        }
        let type = try deviceValue(cl_device_info(CL_DEVICE_TYPE), as: cl_device_type.self)
        // A type is a bitfield (GPU | DEFAULT, say); the most capable bit decides the kind.
        let kind: Kind = if type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 { .gpu }
            else if type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 { .accelerator }
            else if type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 { .cpu }
            else { .other }
        let extensions = try deviceString(cl_device_info(CL_DEVICE_EXTENSIONS)).split(separator: " ")
        // Drivers older than OpenCL 1.2 may reject this query; they announce doubles through the
        // extension string instead, which is checked as well.
        let doubleConfig = (try? deviceValue(cl_device_info(CL_DEVICE_DOUBLE_FP_CONFIG),
                                             as: cl_device_fp_config.self)) ?? 0

        self.platformName = try platformString(cl_platform_info(CL_PLATFORM_NAME))
        self.platformVersion = try platformString(cl_platform_info(CL_PLATFORM_VERSION))
        self.name = try deviceString(cl_device_info(CL_DEVICE_NAME))
        self.vendor = try deviceString(cl_device_info(CL_DEVICE_VENDOR))
        self.kind = kind
        self.globalMemoryBytes = Int(try deviceValue(cl_device_info(CL_DEVICE_GLOBAL_MEM_SIZE), as: cl_ulong.self))
        self.localMemoryBytes = Int(try deviceValue(cl_device_info(CL_DEVICE_LOCAL_MEM_SIZE), as: cl_ulong.self))
        self.maxWorkGroupSize = try deviceValue(cl_device_info(CL_DEVICE_MAX_WORK_GROUP_SIZE), as: Int.self)
        self.computeUnits = Int(try deviceValue(cl_device_info(CL_DEVICE_MAX_COMPUTE_UNITS), as: cl_uint.self))
        self.maxClockMHz = Int(try deviceValue(cl_device_info(CL_DEVICE_MAX_CLOCK_FREQUENCY), as: cl_uint.self))
        self.openCLCVersion = try deviceString(cl_device_info(CL_DEVICE_OPENCL_C_VERSION))
        self.driverVersion = try deviceString(cl_device_info(CL_DRIVER_VERSION))
        self.supportsFloat64 = extensions.contains("cl_khr_fp64") || doubleConfig != 0
        self.handles = Handles(platform: platform, device: device)
    }

    /// Every device of every OpenCL platform, GPUs first, then accelerators, then CPUs, in driver
    /// order within a kind. Empty, not an error, when no OpenCL platform is installed, so that the
    /// caller can say so in its own words.
    public static func all() throws -> [OpenCLDevice] {
        var devices = [OpenCLDevice]()
        for platform in try platformIDs() {
            for device in try deviceIDs(on: platform) {
                devices.append(try OpenCLDevice(platform: platform, device: device))
            }
        }
        return ordered(devices)
    }

    /// `devices` in the order users see: by kind (GPU, accelerator, CPU, other), stably, so that a
    /// machine listing a CPU platform before its GPU one still offers the GPU first.
    public static func ordered(_ devices: [OpenCLDevice]) -> [OpenCLDevice] {
        devices.enumerated()
            .sorted { ($0.element.kind, $0.offset) < ($1.element.kind, $1.offset) }
            .map(\.element)
    }

    private static func platformIDs() throws(OpenCLError) -> [cl_platform_id] {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        // The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR (-1001, from cl_ext.h, which the shim
        // does not include) when no driver is registered.
        if status == -1001 || count == 0 { return [] }
        try check(status, "clGetPlatformIDs")
        var ids = [cl_platform_id?](repeating: nil, count: Int(count))
        try check(clGetPlatformIDs(count, &ids, nil), "clGetPlatformIDs")
        return ids.compactMap { $0 }
    }

    private static func deviceIDs(on platform: cl_platform_id) throws(OpenCLError) -> [cl_device_id] {
        let all = cl_device_type(CL_DEVICE_TYPE_ALL)
        var count: cl_uint = 0
        let status = clGetDeviceIDs(platform, all, 0, nil, &count)
        // A platform may be installed with none of its devices present (a GPU driver on a host
        // without that GPU); that is not an error for the other platforms.
        if status == CL_DEVICE_NOT_FOUND || count == 0 { return [] }
        try check(status, "clGetDeviceIDs")
        var ids = [cl_device_id?](repeating: nil, count: Int(count))
        try check(clGetDeviceIDs(platform, all, count, &ids, nil), "clGetDeviceIDs")
        return ids.compactMap { $0 }
    }
}
