import ECCore
import ECFormats
import Foundation

/// Where the inputs of a probe set come from.
public enum ProbeInputs {
    /// How 8-bit image pixels become inputs: x = (p/255 − mean) / std.
    public struct PixelNormalization: Sendable, Codable, Equatable {
        public var mean: Double
        public var std: Double
        /// Fashion-MNIST's convention (and the paper's): pixels in [0, 1] mapped to [−1, 1].
        public static let standard = PixelNormalization(mean: 0.5, std: 0.5)

        public init(mean: Double, std: Double) {
            self.mean = mean
            self.std = std
        }
    }

    /// `count` inputs drawn from N(0, I) in `dimension` dimensions.
    public static func gaussian(count: Int, dimension: Int, seed: UInt64) throws -> Matrix<Double> {
        guard count > 0 else { throw ECError.invalidArgument("--samples must be positive (got \(count))") }
        try MemoryBudget.require([[count, dimension]], bytesEach: MemoryLayout<Double>.size,
                                 for: "--samples \(count) with \(dimension) inputs")
        var random = RandomSource(seed: seed, stream: 0x9B0B_E000)
        return Matrix(rows: count, columns: dimension, scalars: (0..<count * dimension).map { _ in random.normal() })
    }

    /// Inputs from a file: `.npy`/`.npz` arrays as they are, IDX images (raw or gzip) with 8-bit
    /// pixels normalised; rows beyond `limit` are dropped.
    public static func file(_ url: URL, limit: Int?, pixels: PixelNormalization = .standard) throws -> Matrix<Double> {
        var inputs = try InputFile.loadInputs(from: url)
        let isImageFile = !["npy", "npz"].contains(url.pathExtension.lowercased())
        if isImageFile {
            guard pixels.std > 0 else { throw ECError.invalidArgument("--pixel-std must be positive (got \(pixels.std))") }
            for i in inputs.scalars.indices { inputs.scalars[i] = (inputs.scalars[i] / 255 - pixels.mean) / pixels.std }
        }
        if let limit {
            guard limit > 0 else { throw ECError.invalidArgument("--samples must be positive (got \(limit))") }
            if limit < inputs.rows { inputs = inputs.rows(Array(0..<limit)) }
        }
        return inputs
    }
}
