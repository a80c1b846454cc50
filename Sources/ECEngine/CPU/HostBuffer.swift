/// A fixed-size, zero-initialised allocation with a stable address, shared by the worker
/// threads of the CPU backend. Workers touch disjoint ranges, which is why it may be marked
/// Sendable without a lock.
final class HostBuffer<T: BitwiseCopyable>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int

    init(count: Int, value: T) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    convenience init(_ values: [T]) where T: ExpressibleByIntegerLiteral {
        self.init(count: values.count, value: 0)
        overwrite(with: values)
    }

    deinit { pointer.deallocate() }

    var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    func overwrite(with values: [T]) {
        precondition(values.count == count)
        guard count > 0 else { return }
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
}
