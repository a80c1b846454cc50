import ECCore
import Foundation

/// The student-training workloads that `ec bench` times, identical to those of the peer
/// scripts (shared/bench/*_students.py): synthetic Gaussian inputs, targets from a fixed random
/// g-network with 16 hidden units, shared minibatches of 512, Adam at 1e-3.
public struct BenchmarkWorkload: Sendable, Codable, Equatable {
    public let name: String
    public let widths: [Int]
    public let students: Int
    public let samples: Int
    public let batchSize: Int

    public static let all: [BenchmarkWorkload] = [
        BenchmarkWorkload(name: "toy", widths: [4, 32, 1], students: 20, samples: 10_000, batchSize: 512),
        BenchmarkWorkload(name: "mnist64", widths: [784, 256, 10], students: 20, samples: 60_000, batchSize: 512),
        BenchmarkWorkload(name: "mnist256", widths: [784, 1024, 10], students: 20, samples: 60_000, batchSize: 512),
        BenchmarkWorkload(name: "deep", widths: [784, 90, 90, 90, 10], students: 50, samples: 60_000, batchSize: 512),
    ]

    public static func named(_ name: String) throws -> BenchmarkWorkload {
        guard let workload = all.first(where: { $0.name == name }) else {
            throw ECError.invalidArgument("unknown workload '\(name)' (known: \(all.map(\.name).joined(separator: ", ")))")
        }
        return workload
    }

    /// Multiply-adds of forward and backward per epoch in the peers' convention: 6 flops per
    /// weight per sample per student (the first layer's input gradient, which nobody computes,
    /// included), so that GFLOP/s figures compare directly with theirs.
    /// The same workload on a probe set of `samples` drawn the same way (the same students and
    /// widths, so the same kernels), so that a check on a slow device takes seconds, and/or in
    /// minibatches of `batchSize` (the identifications' 128, whose steps are bound by launches).
    public func with(samples: Int? = nil, batchSize: Int? = nil) -> BenchmarkWorkload {
        BenchmarkWorkload(name: name, widths: widths, students: students, samples: samples ?? self.samples,
                          batchSize: batchSize ?? self.batchSize)
    }

    public var flopsPerEpoch: Double {
        6 * Double(samples) * Double(students) * Double(zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 })
    }

    /// The synthetic probe set, deterministic.
    public func data<T: Real>(as _: T.Type = T.self) throws -> TrainingData<T> {
        let inputs = widths[0], outputs = widths[widths.count - 1]
        var random = RandomSource(seed: 0, stream: 0xBE7C)
        let x = Matrix<Double>(rows: samples, columns: inputs, scalars: (0..<samples * inputs).map { _ in random.normal() })
        let hidden = DenseLayer(weight: Matrix(rows: 16, columns: inputs,
                                               scalars: (0..<16 * inputs).map { _ in random.normal() / Double(inputs).squareRoot() }),
                                bias: [Double](repeating: 0, count: 16))
        let readout = DenseLayer(weight: Matrix(rows: outputs, columns: 16,
                                                scalars: (0..<16 * outputs).map { _ in random.normal() }),
                                 bias: [Double](repeating: 0, count: outputs))
        let teacher = try Network(activation: .g, layers: [hidden, readout])
        return try TrainingData(inputs: x.converted(), targets: teacher(x).converted())
    }

    public func bank<T: Real>(as _: T.Type = T.self) throws -> StudentBank<T> {
        try StudentBank.random(widths: widths, count: students, activation: .g, seed: 1)
    }
}
