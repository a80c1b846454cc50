import COpenCL

/// One `__kernel` function of a built program, with its arguments, ready to launch on the
/// context's queue.
///
/// Arguments stay bound between launches, so a training loop sets the buffers once and only
/// changes what varies. OpenCL forbids setting arguments of one kernel object from two threads
/// at once: give each thread its own (`OpenCLProgram.kernel(_:)` makes a new one per call).
public final class OpenCLKernel {
    /// The function's name.
    public let name: String
    let kernel: cl_kernel
    let program: OpenCLProgram
    /// Buffers bound as arguments, kept alive while bound: a buffer released before a launch
    /// that uses it would leave the kernel pointing at freed memory.
    private var boundOwners: [Int: AnyObject] = [:]

    init(program: OpenCLProgram, name: String) throws {
        self.name = name
        self.program = program
        kernel = try create("clCreateKernel", Self.describeMissing(name, in: program)) {
            clCreateKernel(program.program, name, $0)
        }
    }

    deinit {
        clReleaseKernel(kernel)
    }

    /// The largest work-group this kernel can run with on its device; it can be lower than the
    /// device's maximum when the kernel uses many registers.
    public var maxWorkGroupSize: Int {
        get throws {
            try infoValue("clGetKernelWorkGroupInfo", as: Int.self) {
                clGetKernelWorkGroupInfo(kernel, program.queue.deviceID,
                                         cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE), $0, $1, $2)
            }
        }
    }

    /// Binds `argument` to position `index` (0-based, in the order of the kernel's parameters).
    public func setArgument(_ index: Int, _ argument: OpenCLArgument) throws {
        try check(argument.set(on: kernel, at: index), "clSetKernelArg", "kernel \(name), argument \(index)")
        boundOwners[index] = argument.owner
    }

    /// Binds `arguments` to positions 0, 1, 2, ...
    public func setArguments(_ arguments: [OpenCLArgument]) throws {
        for (index, argument) in arguments.enumerated() {
            try setArgument(index, argument)
        }
    }

    /// Enqueues the kernel over `global` work-items (1 to 3 dimensions) in work-groups of
    /// `local` (nil: the driver chooses), after binding `arguments` if given. `global` is
    /// rounded up to multiples of `local`, so the kernel must ignore work-items past its data.
    /// Returns at once; errors of the run itself surface at the next blocking call.
    public func launch(global: [Int], local: [Int]? = nil, arguments: [OpenCLArgument]? = nil) throws {
        try enqueue(global: global, local: local, arguments: arguments, event: nil)
    }

    /// As `launch`, then waits for the kernel and returns the time it ran on the device, from
    /// the driver's profiling counters (not the host clock, which would include queueing). The
    /// context must have been opened with `profiling: true`.
    public func launchTimed(global: [Int], local: [Int]? = nil,
                            arguments: [OpenCLArgument]? = nil) throws -> Duration {
        guard program.queue.profiling else {
            throw OpenCLError.invalidRequest("cannot time kernel \(name): its context was opened without profiling")
        }
        var event: cl_event?
        try enqueue(global: global, local: local, arguments: arguments, event: &event)
        guard let event else { return .zero }   // nothing was enqueued: an empty range
        defer { clReleaseEvent(event) }
        var waitList: [cl_event?] = [event]
        try check(clWaitForEvents(1, &waitList), "clWaitForEvents", "kernel \(name)")
        func counter(_ parameter: Int32) throws -> cl_ulong {
            try infoValue("clGetEventProfilingInfo", as: cl_ulong.self) {
                clGetEventProfilingInfo(event, cl_profiling_info(parameter), $0, $1, $2)
            }
        }
        let start = try counter(CL_PROFILING_COMMAND_START)
        let end = try counter(CL_PROFILING_COMMAND_END)
        return .nanoseconds(Int64(end >= start ? end - start : 0))
    }

    /// `global` with each dimension rounded up to a multiple of the matching `local` size.
    public static func roundedUp(_ global: [Int], toMultiplesOf local: [Int]) -> [Int] {
        zip(global, local).map { size, group in (size + group - 1) / group * group }
    }

    private func enqueue(global: [Int], local: [Int]?, arguments: [OpenCLArgument]?,
                         event: UnsafeMutablePointer<cl_event?>?) throws {
        guard (1...3).contains(global.count), global.allSatisfy({ $0 >= 0 }) else {
            throw OpenCLError.invalidRequest("kernel \(name): global size \(global) must have 1 to 3 non-negative dimensions")
        }
        if let local, local.count != global.count || local.contains(where: { $0 <= 0 }) {
            throw OpenCLError.invalidRequest("kernel \(name): local size \(local) does not match global size \(global)")
        }
        if let arguments { try setArguments(arguments) }
        // OpenCL 1.2 rejects an empty range; there is nothing to run.
        guard !global.contains(0) else { return }
        let globalSizes = local.map { Self.roundedUp(global, toMultiplesOf: $0) } ?? global
        try enqueue(globalSizes: globalSizes, local: local, event: event)
    }

    /// The one place kernels are enqueued, hence where they are counted and, while the queue's
    /// recorder has a profile open, given an event to time them by.
    func enqueue(globalSizes: [Int], local: [Int]?, event: UnsafeMutablePointer<cl_event?>?) throws {
        let recorder = program.queue.recorder
        var profiled: cl_event?
        let status = if event == nil && recorder.isProfiling {
            clEnqueueNDRangeKernel(program.queue.queue, kernel, cl_uint(globalSizes.count), nil, globalSizes, local, 0, nil, &profiled)
        } else {
            clEnqueueNDRangeKernel(program.queue.queue, kernel, cl_uint(globalSizes.count), nil, globalSizes, local, 0, nil, event)
        }
        try check(status, "clEnqueueNDRangeKernel",
                  "kernel \(name), global \(globalSizes), local " + (local.map { "\($0)" } ?? "chosen by the driver"))
        recorder.countLaunch()
        if let profiled { recorder.keep(profiled, label: "\(name) \(globalSizes)") }
    }

    /// The detail for a failed clCreateKernel: the names the program does define, since the
    /// usual cause is a typo or a kernel compiled out by the options.
    private static func describeMissing(_ name: String, in program: OpenCLProgram) -> String {
        let names = (try? program.kernelNames) ?? []
        return "kernel \(name); the program defines: " + (names.isEmpty ? "no kernels" : names.joined(separator: ", "))
    }
}
