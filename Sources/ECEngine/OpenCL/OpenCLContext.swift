import COpenCL
import Synchronization

/// An OpenCL context on one device with one in-order command queue: what the engine allocates
/// buffers in, compiles programs for and launches kernels on.
///
/// Commands run in the order they are enqueued, so a kernel sees the writes enqueued before it
/// and a blocking read sees the kernels enqueued before it; no events are needed for ordering.
/// Keep one context per device for the whole process: compiled programs are cached in it.
public final class OpenCLContext: @unchecked Sendable {
    // Sendable by hand: the stored handles never change, OpenCL calls on contexts and queues are
    // thread-safe (OpenCL 1.2, appendix A.2), and the program cache has its own lock.

    /// The device this context runs on.
    public var device: OpenCLDevice { queue.device }
    /// Whether launches can be timed (`OpenCLKernel.launchTimed`).
    public var profiling: Bool { queue.profiling }
    /// Bytes of device memory held by this context's buffers now.
    public var allocatedBytes: Int { queue.memory.current }
    /// The most bytes this context's buffers held at once since it was opened or since the last
    /// `resetPeakAllocatedBytes()`. Drivers allocate lazily and keep their own overheads, so this
    /// is what the engine asked for, not what `nvidia-smi` shows.
    public var peakAllocatedBytes: Int { queue.memory.peak }

    /// Starts measuring the peak anew from what is allocated now (e.g. when a backend is built).
    public func resetPeakAllocatedBytes() { queue.memory.resetPeak() }

    let queue: CommandQueue
    let programs = ProgramCache()

    /// Opens a context and an in-order queue on `device`; `profiling` enables kernel timing,
    /// which costs a little on some drivers, so benchmarks ask for it and training does not.
    public init(device: OpenCLDevice, profiling: Bool = false) throws {
        queue = try CommandQueue(device: device, profiling: profiling)
    }

    /// The process's context on `device`, opened on first request. Backends built for a device
    /// share it, and with it the compiled programs, so a second run pays no compile.
    public static func shared(on device: OpenCLDevice) throws -> OpenCLContext {
        guard let key = device.handles else { return try OpenCLContext(device: device) }   // throws: no driver handles
        return try sharedContexts.withLock { contexts in
            if let context = contexts[key] { return context }
            let context = try OpenCLContext(device: device)
            contexts[key] = context
            return context
        }
    }

    /// A buffer of `count` uninitialised elements in device memory.
    public func makeBuffer<Element: BitwiseCopyable>(_ type: Element.Type = Element.self,
                                                     count: Int) throws -> OpenCLBuffer<Element> {
        try OpenCLBuffer(queue: queue, count: count)
    }

    /// A buffer holding a copy of `values`.
    public func makeBuffer<Element: BitwiseCopyable>(from values: [Element]) throws -> OpenCLBuffer<Element> {
        let buffer = try OpenCLBuffer<Element>(queue: queue, count: values.count)
        try buffer.write(values)
        return buffer
    }

    /// Waits until every command enqueued so far has finished; reports errors of earlier
    /// launches that the driver only notices when they run.
    public func finish() throws {
        try check(clFinish(queue.queue), "clFinish", device.name)
    }
}

/// The driver's context and command queue. Buffers, programs and kernels hold this rather than
/// the `OpenCLContext`, which holds the program cache: a program holding its `OpenCLContext`
/// would form a cycle through the cache and never be freed.
final class CommandQueue: @unchecked Sendable {
    // Sendable by hand: immutable handles to thread-safe OpenCL objects.
    let device: OpenCLDevice
    let deviceID: cl_device_id
    let context: cl_context
    let queue: cl_command_queue
    let profiling: Bool
    /// What the buffers made on this queue hold; buffers report their allocation and release.
    let memory = MemoryLedger()
    /// The kernels enqueued on this queue: counted always, timed while a profile is open.
    let recorder = LaunchRecorder()

    init(device: OpenCLDevice, profiling: Bool) throws {
        guard let handles = device.handles else {
            throw OpenCLError.invalidRequest(
                "\(device.name) was described by hand, not found through the driver: no context can be opened on it")
        }
        var properties: [cl_context_properties] = [
            cl_context_properties(CL_CONTEXT_PLATFORM), cl_context_properties(Int(bitPattern: handles.platform)), 0,
        ]
        var deviceIDs: [cl_device_id?] = [handles.device]
        let context = try create("clCreateContext", device.name) {
            clCreateContext(&properties, 1, &deviceIDs, nil, nil, $0)
        }
        let flags = cl_command_queue_properties(profiling ? CL_QUEUE_PROFILING_ENABLE : 0)
        do {
            // clCreateCommandQueue is deprecated from OpenCL 2.0 on, but it is the call every
            // driver (NVIDIA's included) accepts.
            queue = try create("clCreateCommandQueue", device.name) {
                clCreateCommandQueue(context, handles.device, flags, $0)
            }
        } catch {
            clReleaseContext(context)
            throw error
        }
        self.device = device
        self.deviceID = handles.device
        self.context = context
        self.profiling = profiling
    }

    deinit {
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }
}

/// The contexts of `OpenCLContext.shared(on:)`, by device.
private let sharedContexts = Mutex<[OpenCLDevice.Handles: OpenCLContext]>([:])

/// Device bytes allocated through one context, now and at most, for `ec bench` to report.
final class MemoryLedger: Sendable {
    private let state = Mutex((current: 0, peak: 0))

    var current: Int { state.withLock { $0.current } }
    var peak: Int { state.withLock { $0.peak } }

    func allocate(_ bytes: Int) {
        state.withLock {
            $0.current += bytes
            $0.peak = max($0.peak, $0.current)
        }
    }

    func release(_ bytes: Int) {
        state.withLock { $0.current -= bytes }
    }

    func resetPeak() {
        state.withLock { $0.peak = $0.current }
    }
}
