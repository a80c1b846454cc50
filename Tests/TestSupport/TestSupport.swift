import ECCore
import Foundation

/// A fresh directory under the system temporary directory, removed by the caller when done.
public func makeTemporaryDirectory(_ label: String = "ec-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Largest |a − b| / max(|b|, floor) over two equally long sequences.
public func maxRelativeError<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(
    _ a: [A], _ b: [B], floor: Double = 1e-300
) -> Double {
    precondition(a.count == b.count, "maxRelativeError: \(a.count) vs \(b.count) values")
    var worst = 0.0
    for (x, y) in zip(a, b) {
        let e = abs(Double(x) - Double(y)) / max(abs(Double(y)), floor)
        if e.isNaN { return .infinity }
        worst = max(worst, e)
    }
    return worst
}

/// A matrix of standard normal entries.
public func randomMatrix<T: Real>(_ rows: Int, _ columns: Int, seed: UInt64, scale: Double = 1) -> Matrix<T> {
    var random = RandomSource(seed: seed)
    return Matrix(rows: rows, columns: columns, scalars: (0..<rows * columns).map { _ in T(random.normal() * scale) })
}

/// PoCL, the CPU driver the OpenCL tests run on without a GPU, keeps compiled kernels in a cache
/// under $HOME unless POCL_CACHE_DIR names one, and the home directory of a CI runner or a
/// sandbox may not be writable. Call before the first OpenCL call loads the driver; the
/// environment is set once (a global is initialised once, thread-safely) for all test targets.
public func preparePoCL() throws { try poclCache.get() }

private let poclCache = Result<Void, any Error> {
    if ProcessInfo.processInfo.environment["POCL_CACHE_DIR"] == nil {
        setenv("POCL_CACHE_DIR", try makeTemporaryDirectory("ec-pocl-cache").path, 0)
    }
}
