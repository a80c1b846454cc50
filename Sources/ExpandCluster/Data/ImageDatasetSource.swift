import ECCore
import Foundation

/// Where an image classification data set lives: IDX files (raw or gzip-compressed) of training
/// images and labels, optionally test images and labels. A data set is either named (only
/// `fashion-mnist`, which Debian ships) or given by its files, so that a user who has MNIST, or
/// any other IDX image set, can point at it.
public struct ImageDatasetSource: Sendable, Equatable {
    /// An images file and the labels file that goes with it.
    public struct Files: Sendable, Equatable {
        public var images: URL
        public var labels: URL

        public init(images: URL, labels: URL) {
            self.images = images
            self.labels = labels
        }
    }

    /// What reports and file metadata call the data set: its name, or the training images' path.
    public var name: String
    public var train: Files
    /// Held-out images and labels, when there are any.
    public var test: Files?
    /// Number of classes; nil takes the largest training label + 1.
    public var classes: Int?

    /// A data set given by its files.
    public init(train: Files, test: Files? = nil, classes: Int? = nil, name: String? = nil) {
        self.name = name ?? train.images.relativePath
        self.train = train
        self.test = test
        self.classes = classes
    }

    /// The names `named(_:)` knows.
    public static let knownNames = ["fashion-mnist"]

    /// Where Debian's package `dataset-fashion-mnist` installs Fashion-MNIST.
    public static let fashionMNISTDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// The data set called `name` (see `knownNames`).
    /// - Throws: `ECError.invalidArgument` for an unknown name; `ECError.invalidFile` naming the
    ///   package to install when the data set is not on this machine.
    public static func named(_ name: String) throws -> ImageDatasetSource {
        switch name.lowercased() {
        case "fashion-mnist": return try fashionMNIST()
        default:
            throw ECError.invalidArgument("unknown data set '\(name)' (known: \(knownNames.joined(separator: ", ")); "
                                          + "give other IDX image sets with --images and --labels)")
        }
    }

    /// Fashion-MNIST (60,000 training and 10,000 test images of 28×28 pixels, 10 classes) in
    /// `directory`, under the names Zalando distributes.
    /// - Throws: `ECError.invalidFile` naming the first missing file and the Debian package.
    public static func fashionMNIST(directory: URL = fashionMNISTDirectory) throws -> ImageDatasetSource {
        let file = { (name: String) in directory.appendingPathComponent(name) }
        let source = ImageDatasetSource(
            train: Files(images: file("train-images-idx3-ubyte.gz"), labels: file("train-labels-idx1-ubyte.gz")),
            test: Files(images: file("t10k-images-idx3-ubyte.gz"), labels: file("t10k-labels-idx1-ubyte.gz")),
            classes: 10, name: "fashion-mnist")
        for url in source.files where !FileManager.default.fileExists(atPath: url.path) {
            throw ECError.invalidFile(path: url.relativePath, problem: "not found; Fashion-MNIST comes with Debian's "
                                      + "package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
        }
        return source
    }

    /// Every file the data set reads.
    public var files: [URL] {
        ([train] + (test.map { [$0] } ?? [])).flatMap { [$0.images, $0.labels] }
    }
}
