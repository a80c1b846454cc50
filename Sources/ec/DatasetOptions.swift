import ArgumentParser
import ECCore
import ExpandCluster
import Foundation

/// An image classification data set: named, or given by its IDX files.
struct DatasetOptions: ParsableArguments {
    @Option(help: "A named data set: fashion-mnist (Debian package dataset-fashion-mnist).") var dataset: String?
    @Option(help: "Training images (IDX, raw or .gz), instead of --dataset; e.g. MNIST's train-images-idx3-ubyte.gz.")
    var images: String?
    @Option(help: "Training labels (IDX) that go with --images.") var labels: String?
    @Option(help: "Test images (IDX) for held-out accuracy, with --images.") var testImages: String?
    @Option(help: "Test labels (IDX) that go with --test-images.") var testLabels: String?
    @Option(help: "Number of classes (default: 10 for fashion-mnist, else the largest training label + 1).")
    var classes: Int?
    @OptionGroup var pixelOptions: PixelOptions

    var pixels: ProbeInputs.PixelNormalization { pixelOptions.normalization }

    /// The data set the flags name; exactly one of --dataset and --images, with their companions.
    func source() throws -> ImageDatasetSource {
        var source: ImageDatasetSource
        switch (dataset, images) {
        case (let name?, nil):
            guard labels == nil, testImages == nil, testLabels == nil else {
                throw ValidationError("--labels, --test-images and --test-labels go with --images, not --dataset")
            }
            source = try ImageDatasetSource.named(name)
        case (nil, let images?):
            guard let labels else { throw ValidationError("--images needs --labels") }
            guard (testImages == nil) == (testLabels == nil) else {
                throw ValidationError("--test-images and --test-labels go together")
            }
            let test = testImages.map { ImageDatasetSource.Files(images: fileURL($0), labels: fileURL(testLabels!)) }
            source = ImageDatasetSource(train: .init(images: fileURL(images), labels: fileURL(labels)), test: test)
        case (.some, .some): throw ValidationError("give either --dataset or --images, not both")
        case (nil, nil): throw ValidationError("give --dataset fashion-mnist or --images FILE --labels FILE")
        }
        if let classes { source.classes = classes }
        return source
    }
}

/// How 8-bit pixels become inputs: scaled to [0, 1], then normalised with this mean and spread.
struct PixelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Pixel mean after scaling to [0, 1], for IDX images.") var pixelMean = 0.5
    @Option(parsing: .unconditional, help: "Pixel standard deviation after scaling to [0, 1], for IDX images.")
    var pixelStd = 0.5

    var normalization: ProbeInputs.PixelNormalization { .init(mean: pixelMean, std: pixelStd) }

    func validate() throws {
        try FlagCheck.require(pixelMean.isFinite, "--pixel-mean", "finite", got: pixelMean)
        try FlagCheck.positiveFinite(pixelStd, "--pixel-std")
    }
}
