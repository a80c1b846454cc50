import ECCore
import ECEngine
import Foundation
import Testing

/// The runtime against a real driver: PoCL's CPU device here, the GPU on a GPU machine.
struct OpenCLRuntimeTests {
    /// A kernel that writes back its scalar arguments, so that each typed argument is seen to
    /// arrive with its exact value and width, and that passes a value through local memory.
    static let echoSource = """
        #pragma OPENCL EXTENSION cl_khr_fp64 : enable
        __kernel void echo(__global double *out, int i, uint u, float f, double d, __local float *scratch) {
            scratch[get_local_id(0)] = f;
            barrier(CLK_LOCAL_MEM_FENCE);
            out[0] = i; out[1] = u; out[2] = f; out[3] = d; out[4] = scratch[0];
        }
        """

    /// c = a + b, elementwise: the smallest kernel that shows a device compiles, runs and moves
    /// data correctly, in either precision (REAL is set with -DREAL=float or -DREAL=double).
    static let vectorAddSource = """
        #ifdef cl_khr_fp64
        #pragma OPENCL EXTENSION cl_khr_fp64 : enable
        #endif
        __kernel void vector_add(__global const REAL *a, __global const REAL *b, __global REAL *c, const uint count) {
            const size_t i = get_global_id(0);
            if (i < count) c[i] = a[i] + b[i];   // the global size is rounded up to whole work-groups
        }
        """

    var context: OpenCLContext { get throws { try TestOpenCL.context.get() } }

    @Test func devicesAreListedWithTheirProperties() throws {
        let devices = try TestOpenCL.devices.get()
        #expect(!devices.isEmpty)
        #expect(devices.map(\.kind) == devices.map(\.kind).sorted())
        for device in devices {
            #expect(!device.name.isEmpty && !device.platformName.isEmpty)
            #expect(device.platformVersion.hasPrefix("OpenCL"))
            #expect(device.openCLCVersion.hasPrefix("OpenCL C"))
            #expect(device.globalMemoryBytes > 0 && device.localMemoryBytes > 0)
            #expect(device.computeUnits > 0 && device.maxWorkGroupSize > 0)
        }
        let listing = OpenCLDevice.listing(of: devices)
        #expect(listing.contains(devices[0].name) && listing.contains("*  0"))
        #expect(try context.device.describe().contains(context.device.name))
    }

    @Test(arguments: Precision.allCases)
    func vectorAddMatchesTheCPUExactly(precision: Precision) throws {
        switch precision {
        case .float32: try vectorAdd(Float.self)
        case .float64: try vectorAdd(Double.self)
        }
    }

    /// 1000 elements in work-groups of 64: the global size is rounded up to 1024 and the kernel's
    /// bounds check must leave the 24 extra work-items idle.
    private func vectorAdd<T: Real & BitwiseCopyable>(_: T.Type) throws {
        let context = try context
        let count = 1000
        var random = RandomSource(seed: 7)
        let a = (0..<count).map { _ in T(random.normal()) }
        let b = (0..<count).map { _ in T(random.normal()) }
        let program = try context.program(source: Self.vectorAddSource,
                                          options: ["-DREAL=\(T.self == Float.self ? "float" : "double")"])
        let kernel = try program.kernel("vector_add")
        let c = try context.makeBuffer(T.self, count: count + 1)
        try c.fill(-1)
        try kernel.launch(global: [count], local: [64], arguments: [
            .buffer(try context.makeBuffer(from: a)), .buffer(try context.makeBuffer(from: b)), .buffer(c),
            .uint32(UInt32(count)),
        ])
        let result = try c.read()
        #expect(Array(result.prefix(count)) == zip(a, b).map { $0 + $1 })
        #expect(result[count] == -1)
    }

    @Test func scalarAndLocalArgumentsArriveExactly() throws {
        let context = try context
        let kernel = try context.program(source: Self.echoSource).kernel("echo")
        let out = try context.makeBuffer(Double.self, count: 5)
        try kernel.launch(global: [4], local: [4], arguments: [
            .buffer(out), .int32(-123_456_789), .uint32(4_000_000_000), .float(0.1), .double(0.1),
            .localMemory(bytes: 4 * MemoryLayout<Float>.stride),
        ])
        #expect(try out.read() == [-123_456_789, 4_000_000_000, Double(Float(0.1)), 0.1, Double(Float(0.1))])
        #expect(try kernel.maxWorkGroupSize > 0)
    }

    @Test func timedLaunchReportsDeviceTime() throws {
        let context = try context
        let kernel = try context.program(source: Self.echoSource).kernel("echo")
        let out = try context.makeBuffer(Double.self, count: 5)
        let time = try kernel.launchTimed(global: [1], arguments: [
            .buffer(out), .int32(1), .uint32(2), .float(3), .double(4), .localMemory(bytes: 4),
        ])
        #expect(time > .zero && time < .seconds(10))
        #expect(try out.read() == [1, 2, 3, 4, 3])
    }

    @Test func malformedWorkSizesAreRefused() throws {
        let kernel = try context.program(source: Self.echoSource).kernel("echo")
        #expect(throws: OpenCLError.self) { try kernel.launch(global: []) }
        #expect(throws: OpenCLError.self) { try kernel.launch(global: [1, 1, 1, 1]) }
        #expect(throws: OpenCLError.self) { try kernel.launch(global: [8], local: [4, 1]) }
        #expect(throws: OpenCLError.self) { try kernel.launch(global: [8], local: [0]) }
        #expect(OpenCLKernel.roundedUp([1000, 64, 1], toMultiplesOf: [64, 64, 8]) == [1024, 64, 8])
    }

    @Test func buffersRoundTrip() throws {
        let context = try context
        let buffer = try context.makeBuffer(from: (0..<10).map(Float.init))
        #expect(buffer.count == 10 && buffer.byteCount == 40)
        try buffer.write([100, 101], offset: 8)
        #expect(try buffer.read(range: 7..<10) == [7, 100, 101])
        try [Float](repeating: 5, count: 3).withUnsafeBufferPointer { try buffer.write(from: $0, offset: 1) }
        var head = [Float](repeating: 0, count: 5)
        try head.withUnsafeMutableBufferPointer { try buffer.read(into: $0) }
        #expect(head == [0, 5, 5, 5, 4])

        let copy = try context.makeBuffer(Float.self, count: 10)
        try copy.fill(-2)
        try copy.copy(from: buffer, count: 3, sourceOffset: 7, offset: 1)
        #expect(try copy.read() == [-2, 7, 100, 101, -2, -2, -2, -2, -2, -2])
        try copy.copy(from: buffer)
        #expect(try copy.read() == buffer.read())

        let integers = try context.makeBuffer(from: [Int32.min, -1, 0, Int32.max])
        #expect(try integers.read() == [Int32.min, -1, 0, Int32.max])
        let empty = try context.makeBuffer(from: [Double]())
        try empty.fill(1)
        #expect(try empty.read() == [])
    }

    /// A context of its own, so that buffers of tests running alongside do not count.
    @Test func contextCountsItsDeviceMemory() throws {
        let context = try OpenCLContext(device: try self.context.device)
        #expect(context.allocatedBytes == 0)
        var doubles: OpenCLBuffer<Double>? = try context.makeBuffer(count: 1000)
        let floats = try context.makeBuffer(Float.self, count: 10)
        #expect(context.allocatedBytes == 8040 && context.peakAllocatedBytes == 8040 && doubles != nil)
        doubles = nil
        #expect(context.allocatedBytes == 40 && context.peakAllocatedBytes == 8040)
        context.resetPeakAllocatedBytes()
        #expect(context.peakAllocatedBytes == 40)
        withExtendedLifetime(floats) {}
        let device = try self.context.device
        #expect(try OpenCLContext.shared(on: device) === OpenCLContext.shared(on: device))
    }

    @Test func transfersOutsideTheBufferThrowAndLeaveItUnchanged() throws {
        let context = try context
        let buffer = try context.makeBuffer(from: [1, 2, 3] as [Double])
        let tooLong = #expect(throws: OpenCLError.self) { try buffer.write([9, 9, 9, 9]) }
        #expect(tooLong?.description == "cannot write 4 elements at offset 0 of a buffer of 3 Double values")
        #expect(throws: OpenCLError.self) { try buffer.write([9, 9], offset: 2) }
        #expect(throws: OpenCLError.self) { try buffer.write([9], offset: -1) }
        #expect(throws: OpenCLError.self) { try buffer.read(range: 2..<4) }
        var four = [Double](repeating: 0, count: 4)
        #expect(throws: OpenCLError.self) { try four.withUnsafeMutableBufferPointer { try buffer.read(into: $0) } }
        let larger = try context.makeBuffer(Double.self, count: 4)
        #expect(throws: OpenCLError.self) { try buffer.copy(from: larger) }
        #expect(throws: OpenCLError.self) { try larger.copy(from: buffer, count: 2, sourceOffset: 2) }
        #expect(try buffer.read() == [1, 2, 3])
    }

    @Test func failedBuildNamesDeviceOptionsAndCompilerMessage() throws {
        let context = try context
        let source = "__kernel void broken(__global float *x) { x[0] = undeclared_thing; }"
        let error = #expect(throws: OpenCLError.self) {
            try context.program(source: source, options: ["-DMARKER=1", "-cl-mad-enable"])
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11) on \(context.device.name)"))
        #expect(text.contains("options '-DMARKER=1 -cl-mad-enable'"))
        #expect(text.contains("undeclared_thing"))
        guard case .device(let message)? = error?.asECError else {
            Issue.record("asECError is not a device error")
            return
        }
        // The command line's one line: what failed, then the compiler's first error.
        #expect(text.split(separator: "\n").count > 1)
        #expect(!message.contains("\n") && message.hasPrefix(String(text.prefix { $0 != "\n" }) + ": "))
        #expect(message.contains("undeclared_thing"))
    }

    @Test func programCacheBuildsEachVariantOnce() async throws {
        let context = try context
        let first = try context.program(source: Self.echoSource)
        #expect(try context.program(source: Self.echoSource) === first)
        // Several threads asking at once for a variant nobody has built get one program.
        let options = ["-DVARIANT=\(UInt64.random(in: 0 ... .max))"]
        let programs = try await withThrowingTaskGroup(of: ObjectIdentifier.self) { group in
            for _ in 0..<8 {
                group.addTask { ObjectIdentifier(try context.program(source: Self.echoSource, options: options)) }
            }
            return try await group.reduce(into: Set()) { $0.insert($1) }
        }
        #expect(programs.count == 1)
        #expect(!programs.contains(ObjectIdentifier(first)))
        #expect(try context.program(source: Self.echoSource, options: options).options == options[0])
    }

    @Test func unknownKernelOrKernelFileIsNamed() throws {
        let context = try context
        let program = try context.program(source: Self.echoSource)
        #expect(try program.kernelNames == ["echo"])
        let error = #expect(throws: OpenCLError.self) { try program.kernel("ecko") }
        #expect(error?.description == "clCreateKernel failed: CL_INVALID_KERNEL_NAME (-46) [kernel ecko; the program defines: echo]")
        let file = #expect(throws: OpenCLError.self) { try context.program(named: "no_such_file") }
        #expect(file?.description.contains("Kernels/no_such_file.cl") == true)
        #expect(file?.description.contains("gemm") == true)
    }

    @Test func errorsNameTheirStatus() {
        let error = OpenCLError.callFailed(call: "clEnqueueNDRangeKernel", status: -5, detail: "kernel adam")
        #expect(error.description == "clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5) [kernel adam]")
        #expect(error.asECError == .device(error.description))
        #expect(OpenCLError.name(of: -1001) == "CL_PLATFORM_NOT_FOUND_KHR")
        for status in Array(-19 ... -1) + Array(-72 ... -30) {
            #expect(OpenCLError.name(of: Int32(status)).hasPrefix("CL_"), "status \(status)")
        }
        #expect(OpenCLError.name(of: -25) == "unknown OpenCL status")
    }
}
