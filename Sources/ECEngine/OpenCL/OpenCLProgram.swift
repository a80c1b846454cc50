import COpenCL

/// A program built for a context's device, from which kernels are made. Obtain one through
/// `OpenCLContext.program(source:options:)`, which compiles each variant once.
public final class OpenCLProgram: @unchecked Sendable {
    // Sendable by hand: the handle never changes and building is over before anyone sees it;
    // kernels made from it are separate objects.

    /// The build options, as passed to the compiler.
    public let options: String
    let program: cl_program
    let queue: CommandQueue

    /// Compiles `source` for the queue's device; a failed build throws with the compiler's log.
    init(queue: CommandQueue, source: String, options: String) throws {
        // The handle is stored only once the build has succeeded: a class whose stored
        // properties are all set runs its deinit when init throws, which would release it twice.
        let program = try source.withCString { text in
            var texts: [UnsafePointer<CChar>?] = [text]
            var lengths = [source.utf8.count]
            return try create("clCreateProgramWithSource", queue.device.name) {
                clCreateProgramWithSource(queue.context, 1, &texts, &lengths, $0)
            }
        }
        var deviceIDs: [cl_device_id?] = [queue.deviceID]
        let status = clBuildProgram(program, 1, &deviceIDs, options, nil, nil)
        guard status == CL_SUCCESS else {
            // The log is the only useful part of a failed build; reading it must not hide the
            // failure, so a failed read leaves a note instead.
            let log = (try? infoString("clGetProgramBuildInfo") {
                clGetProgramBuildInfo(program, queue.deviceID, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2)
            }) ?? "(the driver returned no build log)"
            clReleaseProgram(program)
            throw OpenCLError.buildFailed(device: queue.device.name, options: options, status: status, log: log)
        }
        self.program = program
        self.queue = queue
        self.options = options
    }

    deinit {
        clReleaseProgram(program)
    }

    /// The names of the kernels the program defines.
    public var kernelNames: [String] {
        get throws {
            try infoString("clGetProgramInfo") {
                clGetProgramInfo(program, cl_program_info(CL_PROGRAM_KERNEL_NAMES), $0, $1, $2)
            }.split(separator: ";").map(String.init)
        }
    }

    /// A new kernel object for the `__kernel` function `name`. Each call makes a separate object
    /// with its own arguments, so threads that launch the same function should each make one.
    public func kernel(_ name: String) throws -> OpenCLKernel {
        try OpenCLKernel(program: self, name: name)
    }
}

extension OpenCLContext {
    /// The program built from `source` with `options` (e.g. `["-DREAL=double"]`), compiled on
    /// first request and taken from this context's cache afterwards. Safe to call from several
    /// threads; a failed build is not cached, so it fails again with the same message.
    public func program(source: String, options: [String] = []) throws -> OpenCLProgram {
        let joined = options.joined(separator: " ")
        return try programs.program(source: source, options: joined) {
            try OpenCLProgram(queue: queue, source: source, options: joined)
        }
    }

    /// The program built from the embedded kernel file `Kernels/<name>.cl`, as `program(source:options:)`.
    public func program(named name: String, options: [String] = []) throws -> OpenCLProgram {
        try program(files: [name], options: options)
    }

    /// The program built from several embedded kernel files, `Kernels/<name>.cl` for each name,
    /// joined in the order given: OpenCL C cannot `#include` a source that is not on disk, so a
    /// file that uses another's helpers (gemm.cl uses activations.cl) is built after it.
    public func program(files names: [String], options: [String] = []) throws -> OpenCLProgram {
        let sources = try names.map { name in
            guard let source = KernelSources.all[name] else {
                throw OpenCLError.invalidRequest("no kernel file Kernels/\(name).cl is embedded (have: "
                                                 + KernelSources.all.keys.sorted().joined(separator: ", ") + ")")
            }
            return source
        }
        return try program(source: sources.joined(separator: "\n"), options: options)
    }
}
