import COpenCL
import ECCore

/// A kernel launch prepared once and enqueued many times: its own kernel object with every
/// argument bound, and its sizes fixed. A training step then costs the driver call and nothing
/// else on the host (no argument arrays, no look-ups); what changes per step, such as the
/// minibatch's position in the epoch's order, is set with `set(_:_:)` on the arguments it names.
public struct BoundLaunch {
    let kernel: OpenCLKernel
    /// The global size, already rounded up to whole work-groups.
    let global: [Int]
    let local: [Int]

    /// Binds `arguments` to a kernel object of its own (arguments belong to kernel objects, so
    /// two bound launches of one function must not share one).
    init(_ kernel: OpenCLKernel, global: [Int], local: [Int], arguments: [OpenCLArgument]) throws {
        guard (1...3).contains(global.count), local.count == global.count, global.allSatisfy({ $0 >= 0 }),
              local.allSatisfy({ $0 > 0 }) else {
            throw OpenCLError.invalidRequest("kernel \(kernel.name): global size \(global), local size \(local)")
        }
        try kernel.setArguments(arguments)
        self.kernel = kernel
        self.global = OpenCLKernel.roundedUp(global, toMultiplesOf: local)
        self.local = local
    }

    public func enqueue() throws {
        // OpenCL 1.2 rejects an empty range; there is nothing to run.
        guard !global.contains(0) else { return }
        try kernel.enqueue(globalSizes: global, local: local, event: nil)
    }

    /// Rebinds the `REAL` argument at `index`: `float` or `double` as `T` is.
    func set<T: Real>(_ index: Int, real value: T) throws {
        if T.precision == .float64 { try set(index, Double(value)) } else { try set(index, Float(value)) }
    }

    /// Rebinds the scalar argument at `index` (an `Int32`, or `Float`/`Double` for a `REAL`),
    /// without allocating.
    func set<Scalar: BitwiseCopyable>(_ index: Int, _ value: Scalar) throws {
        var value = value
        try check(clSetKernelArg(kernel.kernel, cl_uint(index), MemoryLayout<Scalar>.size, &value),
                  "clSetKernelArg", "kernel \(kernel.name), argument \(index)")
    }
}
