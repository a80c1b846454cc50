import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// Image data sets from IDX files: shapes, normalisation, and one-line errors for files that do
/// not fit together.
struct ImageDatasetTests {
    /// An IDX file: magic 00 00 type rank, big-endian u32 sizes, then the 1-byte elements.
    static func idx(shape: [Int], bytes: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
        var header: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for size in shape { header += (0..<4).reversed().map { UInt8((size >> (8 * $0)) & 0xff) } }
        return header + bytes
    }

    /// Writes `count` images of 2×3 pixels and `labels` into `directory`, as `name`-images and
    /// `name`-labels; pixel k of image i is (40 i + k) mod 256, and the last image is all 255.
    static func write(_ name: String, count: Int, labels: [UInt8], in directory: URL) throws -> ImageDatasetSource.Files {
        var pixels = (0..<count * 6).map { (k: Int) -> UInt8 in UInt8((k / 6 * 40 + k % 6) % 256) }
        for k in pixels.count - 6 ..< pixels.count { pixels[k] = 255 }
        let files = ImageDatasetSource.Files(images: directory.appendingPathComponent("\(name)-images-idx3-ubyte"),
                                             labels: directory.appendingPathComponent("\(name)-labels-idx1-ubyte"))
        try Data(idx(shape: [count, 2, 3], bytes: pixels)).write(to: files.images)
        try Data(idx(shape: [labels.count], bytes: labels)).write(to: files.labels)
        return files
    }

    /// Runs `body` in a fresh directory, removed afterwards.
    static func inTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let directory = try makeTemporaryDirectory("ec-images")
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    /// The message of the ECError `body` throws, checked to be one line mentioning every fragment.
    static func expectError(_ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws -> Void) {
        let error = #expect(throws: ECError.self, sourceLocation: sourceLocation, performing: body)
        guard let message = error?.description else { return }
        #expect(!message.contains("\n"), "not one line: \(message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(message.contains(fragment), "\"\(message)\" does not mention \"\(fragment)\"", sourceLocation: sourceLocation)
        }
    }

    @Test func loadsAndNormalisesSmallIDXFiles() throws {
        try Self.inTemporaryDirectory { directory in
            let train = try Self.write("train", count: 5, labels: [0, 2, 1, 2, 0], in: directory)
            let test = try Self.write("t10k", count: 3, labels: [1, 0, 2], in: directory)
            let dataset = try ImageDataset<Double>.load(ImageDatasetSource(train: train, test: test))
            #expect(dataset.classes == 3)
            #expect(dataset.name == train.images.relativePath)
            #expect(dataset.train.images.rows == 5 && dataset.train.images.columns == 6)
            #expect(dataset.train.labels == [0, 2, 1, 2, 0])
            #expect(dataset.test?.count == 3)
            // (p/255 − 0.5)/0.5: 0 ↦ −1, 255 ↦ 1, and row 1 starts at pixel 40.
            #expect(dataset.train.images[0, 0] == -1)
            #expect(dataset.train.images[4, 5] == 1)
            #expect(dataset.train.images[1, 1] == (41.0 / 255 - 0.5) / 0.5)
            #expect(dataset.train.prefix(2).labels == [0, 2])

            let plain = try ImageDataset<Float>.load(ImageDatasetSource(train: train, classes: 4),
                                                     pixels: .init(mean: 0, std: 1))
            #expect(plain.classes == 4 && plain.test == nil)
            #expect(plain.train.images[1, 1] == Float(41.0 / 255))
        }
    }

    @Test func mismatchedCountsNameBothFiles() throws {
        try Self.inTemporaryDirectory { directory in
            let files = try Self.write("train", count: 5, labels: [0, 1, 0, 1], in: directory)
            Self.expectError("train-images-idx3-ubyte holds 5 images", "train-labels-idx1-ubyte holds 4 labels") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: files))
            }
        }
    }

    @Test func labelsOutsideTheClassesNameTheFile() throws {
        try Self.inTemporaryDirectory { directory in
            let train = try Self.write("train", count: 3, labels: [0, 1, 1], in: directory)
            let test = try Self.write("t10k", count: 2, labels: [0, 2], in: directory)
            // Two classes from the training labels; the test set has a third.
            Self.expectError("t10k-labels-idx1-ubyte", "label 2 (sample 1) is outside 0..<2") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: train, test: test))
            }
            let three = try Self.write("three", count: 3, labels: [0, 2, 1], in: directory)
            Self.expectError("three-labels-idx1-ubyte", "label 2 (sample 1) is outside 0..<2") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: three, classes: 2))
            }
            Self.expectError("train-labels-idx1-ubyte", "a classifier needs at least 2 classes (got 1)") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: train, classes: 1))
            }
        }
    }

    @Test func filesOfTheWrongKindAreRejected() throws {
        try Self.inTemporaryDirectory { directory in
            let files = try Self.write("train", count: 2, labels: [0, 1], in: directory)
            let wide = directory.appendingPathComponent("wide-images-idx3-ubyte")
            try Data(Self.idx(shape: [2, 3, 3], bytes: [UInt8](repeating: 7, count: 18))).write(to: wide)
            let test = ImageDatasetSource.Files(images: wide, labels: files.labels)
            Self.expectError("wide-images-idx3-ubyte has images of 9 pixels", "train-images-idx3-ubyte of 6") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: files, test: test))
            }
            let flat = directory.appendingPathComponent("flat-idx1-ubyte")
            try Data(Self.idx(shape: [4], bytes: [1, 2, 3, 4])).write(to: flat)
            Self.expectError("flat-idx1-ubyte", "has shape [4]; images need") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: .init(images: flat, labels: files.labels)))
            }
            let signed = directory.appendingPathComponent("signed-idx3-ubyte")
            try Data(Self.idx(shape: [2, 1], bytes: [1, 2], type: 0x09)).write(to: signed)
            Self.expectError("signed-idx3-ubyte", "images must be 8-bit pixels") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: .init(images: signed, labels: files.labels)))
            }
            Self.expectError("train-images-idx3-ubyte", "labels need [count]") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: .init(images: files.images, labels: files.images)))
            }
            Self.expectError("--pixel-std") {
                _ = try ImageDataset<Double>.load(ImageDatasetSource(train: files), pixels: .init(mean: 0.5, std: 0))
            }
        }
    }

    @Test func namedDataSets() throws {
        Self.expectError("unknown data set 'mnist'", "fashion-mnist", "--images") { _ = try ImageDatasetSource.named("mnist") }
        Self.expectError("fashion-mnst: no such file, nor a known data set (fashion-mnist, fashion-mnist:test)") {
            _ = try ProbeInputs.named("fashion-mnst", limit: nil)
        }
        Self.expectError("fashion-mnist:train: no such file, nor a known data set") {
            _ = try ProbeInputs.named("fashion-mnist:train", limit: nil)
        }
        if FileManager.default.fileExists(atPath: ImageDatasetSource.fashionMNISTDirectory.path) {
            // The held-out images, for fresh-input comparisons.
            let test = try ProbeInputs.named("fashion-mnist:test", limit: nil)
            #expect(test.rows == 10_000 && test.columns == 784)
            #expect(try ProbeInputs.named("fashion-mnist:test", limit: 5).rows == 5)
        }
        try Self.inTemporaryDirectory { directory in
            Self.expectError("train-images-idx3-ubyte.gz", "dataset-fashion-mnist", "apt-get install") {
                _ = try ImageDatasetSource.fashionMNIST(directory: directory.appendingPathComponent("absent"))
            }
        }
    }

    @Test func probeInputsFromAFileByName() throws {
        try Self.inTemporaryDirectory { directory in
            let files = try Self.write("train", count: 4, labels: [0, 1, 0, 1], in: directory)
            let inputs = try ProbeInputs.named(files.images.path, limit: 3)
            #expect(inputs == (try ImageDataset<Double>.images(from: files.images)).rows(0..<3))
        }
    }

    static var fashionMNISTInstalled: Bool {
        FileManager.default.fileExists(atPath: ImageDatasetSource.fashionMNISTDirectory.path)
    }

    @Test(.enabled(if: fashionMNISTInstalled, "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)"))
    func loadsFashionMNIST() throws {
        let dataset = try ImageDataset<Float>.load(ImageDatasetSource.named("fashion-mnist"))
        #expect(dataset.name == "fashion-mnist" && dataset.classes == 10)
        #expect(dataset.train.count == 60_000 && dataset.train.images.columns == 784)
        #expect(dataset.train.labels.prefix(3) == [9, 0, 0])  // ankle boot, T-shirt, T-shirt
        let test = try #require(dataset.test)
        #expect(test.count == 10_000 && test.images.columns == 784)
        // Both splits span the whole 8-bit range, so both ends must map exactly (checked on the
        // smaller split: the normalisation is one table for both).
        #expect(test.images.scalars.min() == -1 && test.images.scalars.max() == 1)
        let probe = try ProbeInputs.named("fashion-mnist", limit: 10)
        #expect(probe.converted(to: Float.self) == dataset.train.images.rows(0..<10))
    }
}
