import COpenCL
import Synchronization

/// What one queue's kernels cost: every launch is counted (one atomic add, in the one place
/// kernels are enqueued, `OpenCLKernel.enqueue`), and while a profile is open each launch also
/// keeps its event, whose device start and end times `finishProfile` reads. Events cost the
/// driver a little, so they are only asked for while profiling.
final class LaunchRecorder: Sendable {
    /// A profiled launch: its label and the event the driver gave it.
    private struct Pending: @unchecked Sendable {
        // Sendable by hand: an event handle is only read once the queue has finished with it.
        let label: String
        let event: cl_event
    }

    private let count = Atomic<Int>(0)
    private let hostNanoseconds = Atomic<Int>(0)
    /// Non-nil while a profile is open.
    private let pending = Mutex<[Pending]?>(nil)

    /// Kernels enqueued on the queue since it was made.
    var launches: Int { count.load(ordering: .relaxed) }
    /// Host time spent enqueuing, as the callers that enqueue many launches report it.
    var hostSeconds: Double { Double(hostNanoseconds.load(ordering: .relaxed)) / 1e9 }
    var isProfiling: Bool { pending.withLock { $0 != nil } }

    func countLaunch() { count.add(1, ordering: .relaxed) }

    func addHostTime(nanoseconds: Int) { hostNanoseconds.add(nanoseconds, ordering: .relaxed) }

    func keep(_ event: cl_event, label: String) {
        pending.withLock { list in
            if list != nil { list!.append(Pending(label: label, event: event)) } else { clReleaseEvent(event) }
        }
    }

    func startProfile() {
        pending.withLock { list in
            if list == nil { list = [] }
        }
    }

    /// The device time of every launch since `startProfile`, summed per label; the queue must
    /// have finished them (the caller waits first). Closes the profile.
    func finishProfile() throws -> [KernelTime] {
        let events = pending.withLock { list in
            defer { list = nil }
            return list ?? []
        }
        defer { for e in events { clReleaseEvent(e.event) } }
        var times: [String: KernelTime] = [:]
        var labels: [String] = []
        for e in events {
            func counter(_ parameter: Int32) throws -> cl_ulong {
                try infoValue("clGetEventProfilingInfo", as: cl_ulong.self) {
                    clGetEventProfilingInfo(e.event, cl_profiling_info(parameter), $0, $1, $2)
                }
            }
            let (start, end) = (try counter(CL_PROFILING_COMMAND_START), try counter(CL_PROFILING_COMMAND_END))
            if times[e.label] == nil { labels.append(e.label) }
            times[e.label, default: KernelTime(kernel: e.label, launches: 0, deviceSeconds: 0)]
                .add(seconds: Double(end >= start ? end - start : 0) / 1e9)
        }
        return labels.map { times[$0]! }
    }
}

/// The launches of one kernel (by name and global size, which tells the layers apart) in a
/// profile, and the device time they took together.
public struct KernelTime: Sendable, Codable, Equatable {
    public let kernel: String
    public private(set) var launches: Int
    public private(set) var deviceSeconds: Double

    mutating func add(seconds: Double) {
        launches += 1
        deviceSeconds += seconds
    }
}

extension OpenCLContext {
    /// Kernels launched in this context so far, by every backend and kernel object in it.
    public var launchCount: Int { queue.recorder.launches }

    /// Host seconds the training loops spent enqueuing their launches (the general path's
    /// minibatch loop, whose enqueues do not wait for the device), so far.
    public var hostEnqueueSeconds: Double { queue.recorder.hostSeconds }

    /// Starts keeping every launch's event; the context must have been opened with profiling.
    public func startProfile() throws {
        guard profiling else { throw OpenCLError.invalidRequest("cannot profile: the context was opened without profiling") }
        queue.recorder.startProfile()
    }

    /// Waits for the queue, then returns the device time of the launches since `startProfile`,
    /// per kernel and global size, in the order each first ran.
    public func finishProfile() throws -> [KernelTime] {
        try finish()
        return try queue.recorder.finishProfile()
    }
}
