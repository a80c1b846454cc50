import ECCore
import ECFormats
import Foundation

/// Images with their class labels, one flattened image per row.
public struct LabelledImages<T: Real>: Sendable {
    /// [count, pixels], normalised.
    public let images: Matrix<T>
    public let labels: [Int32]

    /// Pairs images with labels.
    /// - Throws: `ECError.shapeMismatch` when the counts differ.
    public init(images: Matrix<T>, labels: [Int32]) throws {
        guard images.rows == labels.count else {
            throw ECError.shapeMismatch("\(images.rows) images but \(labels.count) labels")
        }
        self.images = images
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The first `n` images and labels (all of them when there are fewer).
    public func prefix(_ n: Int) -> LabelledImages {
        guard n < count else { return self }
        return try! LabelledImages(images: images.rows(0..<n), labels: Array(labels[..<n]))
    }
}

/// An image classification data set in memory: training images and labels, optionally test
/// images and labels, pixels scaled to [0, 1] and then normalised (see
/// `ProbeInputs.PixelNormalization`; by default [0, 1] ↦ [−1, 1]).
public struct ImageDataset<T: Real>: Sendable {
    public let name: String
    public let classes: Int
    public let train: LabelledImages<T>
    public let test: LabelledImages<T>?

    /// A data set from images and labels already in memory.
    /// - Throws: `ECError` when there are fewer than 2 classes, no training images, a label
    ///   outside 0..<classes, or test images of another size than the training images.
    public init(name: String, classes: Int, train: LabelledImages<T>, test: LabelledImages<T>? = nil) throws {
        try self.init(name: name, classes: classes, train: train, test: test,
                      origins: .init(train: "\(name) training", test: "\(name) test"))
    }

    /// What error messages call the training and test images and labels: file names when read
    /// from files.
    private struct Origins {
        var trainImages: String, trainLabels: String, testImages: String, testLabels: String

        init(train: String, test: String) {
            (trainImages, trainLabels) = (train + " images", train + " labels")
            (testImages, testLabels) = (test + " images", test + " labels")
        }

        init(_ source: ImageDatasetSource) {
            (trainImages, trainLabels) = (source.train.images.relativePath, source.train.labels.relativePath)
            (testImages, testLabels) = (source.test?.images.relativePath ?? "", source.test?.labels.relativePath ?? "")
        }
    }

    private init(name: String, classes: Int, train: LabelledImages<T>, test: LabelledImages<T>?, origins: Origins) throws {
        guard classes >= 2 else {
            throw ECError.invalidArgument("\(origins.trainLabels): a classifier needs at least 2 classes (got \(classes))")
        }
        guard train.count > 0 else { throw ECError.invalidArgument("\(origins.trainImages): no images") }
        for (origin, split) in [(origins.trainLabels, train), (origins.testLabels, test)] {
            if let split, let i = split.labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
                throw ECError.invalidArgument("\(origin): label \(split.labels[i]) (sample \(i)) is outside 0..<\(classes)")
            }
        }
        if let test, test.images.columns != train.images.columns {
            throw ECError.shapeMismatch("\(origins.testImages) has images of \(test.images.columns) pixels but "
                                        + "\(origins.trainImages) of \(train.images.columns)")
        }
        self.name = name
        self.classes = classes
        self.train = train
        self.test = test
    }

    /// More classes than any image data set has (ImageNet-21k: 21,841).
    public static var maximumClasses: Int { 65_536 }

    /// Reads the data set's files and normalises the pixels.
    /// - Throws: `ECError` naming the file at fault: unreadable or not IDX, images that are not
    ///   8-bit or not at least 2-D, labels that are not 1-D integers or out of range, or image
    ///   and label counts that differ.
    public static func load(_ source: ImageDatasetSource, pixels: ProbeInputs.PixelNormalization = .standard) throws -> ImageDataset {
        let train = try labelledImages(source.train, pixels: pixels)
        let test = try source.test.map { try labelledImages($0, pixels: pixels) }
        let classes = source.classes ?? Int(train.labels.max() ?? 0) + 1
        // The output layer has one unit per class: a stray label of 2^25 would size it by gigabytes.
        guard classes <= maximumClasses else {
            throw ECError.invalidFile(path: source.train.labels.relativePath, problem: "holds a label of \(classes - 1); "
                                      + "labels must be class numbers below \(maximumClasses)")
        }
        return try ImageDataset(name: source.name, classes: classes, train: train, test: test, origins: Origins(source))
    }

    /// Images and labels from their files, counts checked against each other.
    private static func labelledImages(_ files: ImageDatasetSource.Files,
                                       pixels: ProbeInputs.PixelNormalization) throws -> LabelledImages<T> {
        let images = try Self.images(from: files.images, pixels: pixels)
        let labels = try Self.labels(from: files.labels)
        guard images.rows == labels.count else {
            throw ECError.shapeMismatch("\(files.images.relativePath) holds \(images.rows) images but "
                                        + "\(files.labels.relativePath) holds \(labels.count) labels")
        }
        return try LabelledImages(images: images, labels: labels)
    }

    /// The images of an IDX file of 8-bit pixels [count, height, width] (or any rank ≥ 2),
    /// flattened to one row per image and normalised; only the first `limit` when given.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func images(from url: URL, pixels: ProbeInputs.PixelNormalization = .standard,
                              limit: Int? = nil) throws -> Matrix<T> {
        try pixels.validate()
        let tensor = try IDX.read(from: url)
        guard case .uint8(let raw) = tensor.storage else {
            throw ECError.invalidFile(path: url.relativePath, problem: "holds \(tensor.dtypeName) values; images must be "
                                      + "8-bit pixels (IDX type 0x08)")
        }
        let pixelsPerImage = tensor.shape.dropFirst().reduce(1, *)
        guard tensor.rank >= 2, tensor.shape[0] > 0, pixelsPerImage > 0 else {
            throw ECError.invalidFile(path: url.relativePath, problem: "has shape \(tensor.shape); images need "
                                      + "[count, height, width] or [count, pixels] with at least one of each")
        }
        // 256 possible values: normalising through a table is exact and cheap.
        let table = (0...255).map { T(pixels.normalize(Double($0))) }
        let rows = min(tensor.shape[0], limit ?? .max)
        return Matrix(rows: rows, columns: pixelsPerImage, scalars: raw[..<(rows * pixelsPerImage)].map { table[Int($0)] })
    }

    /// The labels of a 1-D IDX file of integers.
    private static func labels(from url: URL) throws -> [Int32] {
        let tensor = try IDX.read(from: url)
        guard tensor.rank == 1 else {
            throw ECError.invalidFile(path: url.relativePath, problem: "has shape \(tensor.shape); labels need [count]")
        }
        switch tensor.storage {
        case .uint8(let values): return values.map(Int32.init)
        case .int32(let values): return values
        default:
            throw ECError.invalidFile(path: url.relativePath, problem: "holds \(tensor.dtypeName) values; labels must be integers")
        }
    }
}
