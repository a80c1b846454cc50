import COpenCL

/// One kernel argument: a buffer, a scalar of a width OpenCL C names (`int`, `uint`, `float`,
/// `double`), or the size of a `__local` array. The typed constructors make it impossible to
/// pass, say, a Swift `Int` (64 bits) where the kernel expects an `int` (32 bits).
public struct OpenCLArgument {
    enum Value {
        /// A memory object, with the Swift object that owns it so that it outlives the launch.
        case buffer(cl_mem, owner: AnyObject)
        case scalar([UInt8])
        case localMemory(bytes: Int)
    }

    let value: Value

    /// A `__global` pointer argument.
    public static func buffer<Element>(_ buffer: OpenCLBuffer<Element>) -> OpenCLArgument {
        OpenCLArgument(value: .buffer(buffer.memory, owner: buffer))
    }

    /// An `int` argument.
    public static func int32(_ value: Int32) -> OpenCLArgument { scalar(value) }
    /// A `uint` argument.
    public static func uint32(_ value: UInt32) -> OpenCLArgument { scalar(value) }
    /// A `float` argument.
    public static func float(_ value: Float) -> OpenCLArgument { scalar(value) }
    /// A `double` argument (the device must support float64).
    public static func double(_ value: Double) -> OpenCLArgument { scalar(value) }

    /// A `__local` array of `bytes` bytes per work-group.
    public static func localMemory(bytes: Int) -> OpenCLArgument {
        OpenCLArgument(value: .localMemory(bytes: bytes))
    }

    private static func scalar<Scalar: BitwiseCopyable>(_ value: Scalar) -> OpenCLArgument {
        OpenCLArgument(value: .scalar(withUnsafeBytes(of: value) { Array($0) }))
    }

    /// Binds the argument to position `index` of `kernel`.
    func set(on kernel: cl_kernel, at index: Int) -> cl_int {
        switch value {
        case .buffer(let memory, _):
            var handle: cl_mem? = memory
            return clSetKernelArg(kernel, cl_uint(index), MemoryLayout<cl_mem>.size, &handle)
        case .scalar(let bytes):
            return bytes.withUnsafeBytes { clSetKernelArg(kernel, cl_uint(index), $0.count, $0.baseAddress) }
        case .localMemory(let bytes):
            // A null value with a size is how OpenCL asks for local memory.
            return clSetKernelArg(kernel, cl_uint(index), bytes, nil)
        }
    }

    /// The object that must stay alive while the argument is bound, if any.
    var owner: AnyObject? {
        if case .buffer(_, let owner) = value { owner } else { nil }
    }
}
