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
