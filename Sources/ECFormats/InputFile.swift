import ECCore
import Foundation

/// Inputs to probe a teacher at, from the array formats people have at hand.
public enum InputFile {
    /// The formats recognised, by file name.
    enum Format {
        case npy, npz, idx

        init?(_ url: URL) {
            let name = url.lastPathComponent.lowercased()
            switch url.pathExtension.lowercased() {
            case "npy": self = .npy
            case "npz": self = .npz
            case "gz", "idx": self = .idx
            default:
                // MNIST's own names: train-images-idx3-ubyte, t10k-labels.idx1-ubyte, ...
                guard name.hasSuffix("ubyte") || name.contains("idx") else { return nil }
                self = .idx
            }
        }
    }

    /// Whether `url` names IDX images (raw or gzip), by the names `loadInputs` recognises.
    public static func holdsImages(_ url: URL) -> Bool { Format(url) == .idx }

    /// Reads inputs as rows: `.npy`; `.npz` (the array `x`, or the only array); or IDX, raw or
    /// gzip-compressed (`.gz`, `.idx`, or MNIST-style `*-ubyte` names). An array of shape
    /// [n, ...] of rank ≥ 2 becomes an n × (product of the rest) matrix; integer data (IDX
    /// pixels 0…255) is returned as the raw values — normalising is the caller's choice.
    /// Every value must be finite.
    public static func loadInputs(from url: URL) throws -> Matrix<Double> {
        let path = url.displayPath
        guard let format = Format(url) else {
            throw ECError.invalidFile(path: path, problem: "unknown input format (expected .npy, .npz, or IDX: .idx, "
                                      + "*-ubyte, or either gzipped as .gz)")
        }
        let (name, tensor): (String, AnyTensor)
        switch format {
        case .npy: (name, tensor) = ("array", try NPY.read(from: url))
        case .idx: (name, tensor) = ("array", try IDX.read(from: url))
        case .npz:
            let file = try NPZFile.read(from: url)
            if let x = file["x"] {
                (name, tensor) = ("x", x)
            } else if file.arrays.count == 1 {
                (name, tensor) = (file.arrays[0].name.printable, file.arrays[0].tensor)
            } else {
                throw ECError.invalidFile(path: path, problem: "has no array 'x' and \(file.arrays.count) arrays "
                                          + "(\(file.names.map(\.printable).joined(separator: ", "))); cannot tell which holds the inputs")
            }
        }
        guard tensor.rank >= 2 else {
            throw ECError.invalidFile(path: path, problem: "\(name) has shape \(tensor.shape); inputs need rank ≥ 2 "
                                      + "[n, features...] (reshape a single feature to [n, 1])")
        }
        let rows = tensor.shape[0]
        let columns = tensor.shape.dropFirst().reduce(1, *)
        guard rows > 0, columns > 0 else {
            throw ECError.invalidFile(path: path, problem: "\(name) has shape \(tensor.shape); inputs need at least one row and one feature")
        }
        let matrix = Matrix(rows: rows, columns: columns, scalars: tensor.scalars(as: Double.self))
        try requireFinite(matrix.scalars, columns: columns, "\(path): \(name)")
        return matrix
    }
}
