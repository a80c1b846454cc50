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

        /// The input value of an 8-bit pixel value 0…255.
        public func normalize(_ pixel: Double) -> Double { (pixel / 255 - mean) / std }

        /// Rejects a spread that would divide by zero or flip the images.
        public func validate() throws {
            guard std > 0, std.isFinite, mean.isFinite else {
                throw ECError.invalidArgument("--pixel-std must be positive and --pixel-mean finite (got mean \(mean), std \(std))")
            }
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

    /// Inputs from a file: `.npy`/`.npz` arrays as they are, IDX images (raw or gzip) of 8-bit
    /// pixels normalised; rows beyond `limit` are dropped.
    public static func file(_ url: URL, limit: Int?, pixels: PixelNormalization = .standard) throws -> Matrix<Double> {
        try checkLimit(limit)
        // Images are read as `teacher train` reads them: 8-bit pixels only, or a flipped type
        // byte would pass as pixels.
        if InputFile.holdsImages(url) { return try ImageDataset<Double>.images(from: url, pixels: pixels, limit: limit) }
        let inputs = try InputFile.loadInputs(from: url)
        guard let limit, limit < inputs.rows else { return inputs }
        return inputs.rows(0..<limit)
    }

    /// Inputs as the command line names them: the training images of a known data set
    /// (`fashion-mnist`, see `ImageDatasetSource.named`), its held-out images (`fashion-mnist:test`,
    /// fresh inputs for a comparison), or a file (see `file`). A file of that name takes precedence.
    public static func named(_ argument: String, limit: Int?, pixels: PixelNormalization = .standard) throws -> Matrix<Double> {
        if FileManager.default.fileExists(atPath: argument) {
            return try file(URL(fileURLWithPath: argument), limit: limit, pixels: pixels)
        }
        let parts = argument.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        guard let name = parts.first, ImageDatasetSource.knownNames.contains(name), parts.count == 1 || parts[1] == "test" else {
            let known = ImageDatasetSource.knownNames.flatMap { [$0, $0 + ":test"] }.joined(separator: ", ")
            throw ECError.invalidArgument("\(argument): no such file, nor a known data set (\(known))")
        }
        try checkLimit(limit)
        let source = try ImageDatasetSource.named(name)
        guard parts.count == 1 || source.test != nil else {
            throw ECError.invalidArgument("\(argument): \(name) has no test images")
        }
        let images = parts.count == 1 ? source.train.images : source.test!.images
        return try ImageDataset<Double>.images(from: images, pixels: pixels, limit: limit)
    }

    private static func checkLimit(_ limit: Int?) throws {
        if let limit, limit <= 0 { throw ECError.invalidArgument("--samples must be positive (got \(limit))") }
    }
}
