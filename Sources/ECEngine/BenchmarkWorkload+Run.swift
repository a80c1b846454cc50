import ECCore
import Foundation

/// What one benchmark run measured.
public struct BenchmarkResult: Sendable, Codable {
    public let workload: String
    public let device: String
    public let precision: Precision
    public let students: Int
    public let widths: [Int]
    public let samples: Int
    public let batchSize: Int
    public let epochs: Int
    public let secondsPerEpoch: Double
    /// In the peers' convention (see `BenchmarkWorkload.flopsPerEpoch`).
    public let gflops: Double
    /// Mean loss of the students over the last timed epoch.
    public let loss: Double
    public let peakHostMemoryBytes: Int
    /// Device memory the backend held at most; nil (absent in JSON) for the CPU backend.
    public let peakDeviceMemoryBytes: Int?
    /// Kernel launches per minibatch step over the timed epochs (0 on the CPU; below 1 on the
    /// fused path, which runs a whole epoch in one launch).
    public let launchesPerStep: Double
    /// Host seconds per launch spent enqueuing the general path's minibatch loop; nil where it
    /// did not run (the CPU, the fused path).
    public let hostSecondsPerLaunch: Double?
    /// With `--profile`: each kernel's device time over one more epoch, per step.
    public let profile: [KernelShare]?
}

/// One kernel (by name and global size) in a profiled epoch: how often it runs per step, its
/// device time per step, and its share of all kernels' device time.
public struct KernelShare: Sendable, Codable {
    public let kernel: String
    public let launchesPerStep: Double
    public let secondsPerStep: Double
    public let share: Double

    static func shares(_ times: [KernelTime], steps: Int) -> [KernelShare] {
        let total = times.reduce(0) { $0 + $1.deviceSeconds }
        return times.map {
            KernelShare(kernel: $0.kernel, launchesPerStep: Double($0.launches) / Double(steps),
                        secondsPerStep: $0.deviceSeconds / Double(steps), share: total > 0 ? $0.deviceSeconds / total : 0)
        }
    }
}

extension BenchmarkWorkload {
    /// Minibatch steps per epoch.
    public var stepsPerEpoch: Int { (samples + batchSize - 1) / batchSize }

    /// One warm-up epoch, then `epochs` timed epochs on `backend` (built for this workload), then
    /// with `profile` one more epoch timed per kernel (the backend's context must profile).
    public func run<T: Real>(on backend: any TrainingBackend<T>, epochs: Int, profile: Bool = false) throws -> BenchmarkResult {
        let context = (backend as? OpenCLBackend<T>)?.context
        let rates = [Double](repeating: 1e-3, count: students)
        var random = RandomSource(seed: 3)
        _ = try backend.trainEpoch(order: random.permutation(samples), learningRates: rates)
        var losses = [Double]()
        let (launches, host) = (context?.launchCount ?? 0, context?.hostEnqueueSeconds ?? 0)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<epochs {
            losses = try backend.trainEpoch(order: random.permutation(samples), learningRates: rates)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(epochs)
        let timedLaunches = (context?.launchCount ?? 0) - launches
        let hostSeconds = (context?.hostEnqueueSeconds ?? 0) - host
        var shares: [KernelShare]?
        if profile, let context {
            try context.startProfile()
            _ = try backend.trainEpoch(order: random.permutation(samples), learningRates: rates)
            shares = KernelShare.shares(try context.finishProfile(), steps: stepsPerEpoch)
        }
        return BenchmarkResult(workload: name, device: backend.deviceDescription, precision: T.precision,
                               students: students, widths: widths, samples: samples, batchSize: batchSize,
                               epochs: epochs, secondsPerEpoch: seconds, gflops: flopsPerEpoch / seconds / 1e9,
                               loss: losses.reduce(0, +) / Double(losses.count),
                               peakHostMemoryBytes: peakResidentMemoryBytes(),
                               peakDeviceMemoryBytes: backend.peakDeviceMemoryBytes,
                               launchesPerStep: Double(timedLaunches) / Double(epochs * stepsPerEpoch),
                               hostSecondsPerLaunch: timedLaunches > 0 && hostSeconds > 0 ? hostSeconds / Double(timedLaunches) : nil,
                               profile: shares)
    }
}

/// The process's peak resident set size (Linux reports ru_maxrss in KiB).
public func peakResidentMemoryBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}
