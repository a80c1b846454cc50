import COpenCL

/// A typed array in device memory. Transfers are checked against the buffer's size, so a wrong
/// count throws instead of corrupting memory; reads and writes block until done, so the host
/// memory involved may be reused as soon as they return.
public final class OpenCLBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    // Sendable by hand: the handle never changes and OpenCL memory objects are thread-safe; the
    // contents are the caller's to synchronise, as with any device memory.

    /// The number of elements.
    public let count: Int
    /// The size in bytes.
    public var byteCount: Int { count * MemoryLayout<Element>.stride }

    let memory: cl_mem
    let queue: CommandQueue

    init(queue: CommandQueue, count: Int) throws {
        guard count >= 0 else { throw OpenCLError.invalidRequest("buffer of \(count) elements") }
        self.count = count
        self.queue = queue
        // OpenCL rejects empty buffers; an empty problem still gets a valid (one-element) handle.
        let bytes = max(count, 1) * MemoryLayout<Element>.stride
        memory = try create("clCreateBuffer", "\(bytes) bytes on \(queue.device.name)") {
            clCreateBuffer(queue.context, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, $0)
        }
        queue.memory.allocate(bytes)
    }

    deinit {
        clReleaseMemObject(memory)
        queue.memory.release(max(count, 1) * MemoryLayout<Element>.stride)
    }

    /// Writes `values` to elements `offset ..< offset + values.count`.
    public func write(_ values: [Element], offset: Int = 0) throws {
        try values.withUnsafeBufferPointer { try write(from: $0, offset: offset) }
    }

    /// Writes `source` to elements `offset ..< offset + source.count`.
    public func write(from source: UnsafeBufferPointer<Element>, offset: Int = 0) throws {
        try checkRange(offset, source.count, "write")
        guard let base = source.baseAddress, !source.isEmpty else { return }
        try check(clEnqueueWriteBuffer(queue.queue, memory, cl_bool(CL_TRUE), byteOffset(offset),
                                       source.count * MemoryLayout<Element>.stride, base, 0, nil, nil),
                  "clEnqueueWriteBuffer", "\(source.count) elements at \(offset)")
    }

    /// All elements.
    public func read() throws -> [Element] {
        try read(range: 0 ..< count)
    }

    /// The elements in `range`.
    public func read(range: Range<Int>) throws -> [Element] {
        try checkRange(range.lowerBound, range.count, "read")
        return try [Element](unsafeUninitializedCapacity: range.count) { destination, initialized in
            try read(into: destination, offset: range.lowerBound)
            initialized = range.count
        }
    }

    /// Reads elements `offset ..< offset + destination.count` into `destination`.
    public func read(into destination: UnsafeMutableBufferPointer<Element>, offset: Int = 0) throws {
        try checkRange(offset, destination.count, "read")
        guard let base = destination.baseAddress, !destination.isEmpty else { return }
        try check(clEnqueueReadBuffer(queue.queue, memory, cl_bool(CL_TRUE), byteOffset(offset),
                                      destination.count * MemoryLayout<Element>.stride, base, 0, nil, nil),
                  "clEnqueueReadBuffer", "\(destination.count) elements at \(offset)")
    }

    /// Sets every element to `value` (enqueued; later commands see it).
    public func fill(_ value: Element) throws {
        guard count > 0 else { return }
        var pattern = value
        try check(clEnqueueFillBuffer(queue.queue, memory, &pattern, MemoryLayout<Element>.stride,
                                      0, byteCount, 0, nil, nil),
                  "clEnqueueFillBuffer", "\(count) elements")
    }

    /// Copies `count` elements (all of `source` by default) from `source`, starting at
    /// `sourceOffset`, to this buffer at `offset` (enqueued; later commands see it).
    public func copy(from source: OpenCLBuffer<Element>, count: Int? = nil, sourceOffset: Int = 0,
                     offset: Int = 0) throws {
        let count = count ?? source.count - sourceOffset
        guard source.queue === queue else {
            throw OpenCLError.invalidRequest("cannot copy between buffers of different OpenCL contexts")
        }
        try source.checkRange(sourceOffset, count, "copy")
        try checkRange(offset, count, "copy")
        guard count > 0 else { return }
        try check(clEnqueueCopyBuffer(queue.queue, source.memory, memory, source.byteOffset(sourceOffset),
                                      byteOffset(offset), count * MemoryLayout<Element>.stride, 0, nil, nil),
                  "clEnqueueCopyBuffer", "\(count) elements")
    }

    private func byteOffset(_ element: Int) -> Int {
        element * MemoryLayout<Element>.stride
    }

    /// Throws unless elements `offset ..< offset + length` lie within the buffer.
    private func checkRange(_ offset: Int, _ length: Int, _ verb: String) throws {
        guard offset >= 0, length >= 0, offset <= count - length else {
            throw OpenCLError.invalidRequest(
                "cannot \(verb) \(length) elements at offset \(offset) of a buffer of \(count) \(Element.self) values")
        }
    }
}
