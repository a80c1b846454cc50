import ECCore
import Foundation

/// One square product C = A·Bᵀ of the training kernels timed alone (`ec bench --gemm N`): what
/// the device's matrix product reaches without the training around it, the figure the GPU
/// notes compare with cuBLAS (51.6 TFLOP/s on an H100) and the old 128 × 128 kernel (24.5).
public struct GemmBenchmarkResult: Sendable, Codable {
    public let gemm: Int
    public let device: String
    public let precision: Precision
    public let tuning: String
    public let launches: Int
    public let secondsPerProduct: Double
    public let tflops: Double
    /// The largest relative error of 64 sampled results against a sum in double, so that a
    /// timing is never reported for a wrong product.
    public let sampledRelativeError: Double

    /// Times `launches` products of `size`³ after one warm-up, between two waits for the queue.
    public static func run<T: Real>(_: T.Type, size: Int, launches: Int, on device: OpenCLDevice) throws -> GemmBenchmarkResult {
        let context = try OpenCLContext.shared(on: device)
        let tuning = try KernelTuning.for(device)
        let gemm = try GemmKernel<T>(context: context, activation: .identity, tuning: tuning)
        var random = RandomSource(seed: 5)
        let a = (0..<size * size).map { _ in T(random.normal()) }, b = (0..<size * size).map { _ in T(random.normal()) }
        let (da, db) = (try context.makeBuffer(from: a), try context.makeBuffer(from: b))
        let dc = try context.makeBuffer(T.self, count: size * size)
        let product = try gemm.bind(.forward, m: size, n: size, k: size, a: DeviceMatrix(da, leadingDimension: size),
                                    b: DeviceMatrix(db, leadingDimension: size), c: DeviceMatrix(dc, leadingDimension: size))
        try product.enqueue()
        try context.finish()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<launches { try product.enqueue() }
        try context.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(launches)
        let c = try dc.read()
        var worst = 0.0
        for _ in 0..<64 {
            let (i, j) = (Int(random.next() % UInt64(size)), Int(random.next() % UInt64(size)))
            let exact = (0..<size).reduce(0.0) { $0 + Double(a[i * size + $1]) * Double(b[j * size + $1]) }
            let magnitude = (0..<size).reduce(0.0) { $0 + abs(Double(a[i * size + $1]) * Double(b[j * size + $1])) }
            worst = max(worst, abs(Double(c[i * size + j]) - exact) / magnitude)
        }
        let t = tuning.gemmTiles(m: size, n: size, batch: 1)
        return GemmBenchmarkResult(gemm: size, device: device.describe(), precision: T.precision,
                                   tuning: "\(t.tileM)x\(t.tileN)x\(t.tileK), \(t.workM)x\(t.workN) per work-item, version \(t.gemmVersion)",
                                   launches: launches, secondsPerProduct: seconds,
                                   tflops: 2 * pow(Double(size), 3) / seconds / 1e12, sampledRelativeError: worst)
    }
}
