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
}

extension BenchmarkWorkload {
    /// One warm-up epoch, then `epochs` timed epochs on `backend` (built for this workload).
    public func run<T: Real>(on backend: any TrainingBackend<T>, epochs: Int) throws -> BenchmarkResult {
        let rates = [Double](repeating: 1e-3, count: students)
        var random = RandomSource(seed: 3)
        _ = try backend.trainEpoch(order: random.permutation(samples), learningRates: rates)
        var losses = [Double]()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<epochs {
            losses = try backend.trainEpoch(order: random.permutation(samples), learningRates: rates)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(epochs)
        return BenchmarkResult(workload: name, device: backend.deviceDescription, precision: T.precision,
                               students: students, widths: widths, samples: samples, batchSize: batchSize,
                               epochs: epochs, secondsPerEpoch: seconds, gflops: flopsPerEpoch / seconds / 1e9,
                               loss: losses.reduce(0, +) / Double(losses.count),
                               peakHostMemoryBytes: peakResidentMemoryBytes(),
                               peakDeviceMemoryBytes: backend.peakDeviceMemoryBytes)
    }
}

/// The process's peak resident set size (Linux reports ru_maxrss in KiB).
public func peakResidentMemoryBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}
