import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

@Suite struct InputFileTests {
    @Test func readsNPYAndFlattensTrailingAxes() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("inputs.npy")
            try NPY.write(Fixture.tensor(.float32, [5, 2, 3]), to: url)
            let inputs = try InputFile.loadInputs(from: url)
            #expect(inputs.rows == 5 && inputs.columns == 6)
            #expect(inputs.scalars == Fixture.tensor(.float32, [30]).scalars(as: Double.self))
        }
    }

    @Test func readsNPZByKeyOrSingleArray() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("inputs.npz")
            try NPZFile(arrays: [NamedTensor("y", Fixture.tensor(.float64, [2, 2])), NamedTensor("x", Fixture.tensor(.int32, [3, 4]))])
                .write(to: url, compression: .deflated)
            #expect(try InputFile.loadInputs(from: url) == Matrix(rows: 3, columns: 4, scalars: Fixture.tensor(.int32, [12]).scalars(as: Double.self)))
            try NPZFile(arrays: [NamedTensor("data", Fixture.tensor(.float64, [2, 2]))]).write(to: url)
            #expect(try InputFile.loadInputs(from: url).rows == 2)
            try NPZFile(arrays: [NamedTensor("a", Fixture.tensor(.float64, [2, 2])), NamedTensor("b", Fixture.tensor(.float64, [2, 2]))])
                .write(to: url)
            expectECError("inputs.npz", "no array 'x'", "a, b") { _ = try InputFile.loadInputs(from: url) }
        }
    }

    @Test func readsIDXRawAndGzippedWithRawPixelValues() throws {
        let pixels = (0..<(4 * 3 * 3)).map { UInt8($0 * 7 % 256) }
        let content = IDXTests.idx(type: 0x08, shape: [4, 3, 3], data: pixels)
        try withTemporaryDirectory { directory in
            for (name, bytes) in [("train-images-idx3-ubyte", content), ("train-images-idx3-ubyte.gz", gzipStored(content)),
                                  ("images.idx", content)] {
                let url = directory.appendingPathComponent(name)
                try writeBytes(bytes, to: url)
                let inputs = try InputFile.loadInputs(from: url)
                #expect(inputs.rows == 4 && inputs.columns == 9, "\(name)")
                #expect(inputs.scalars == pixels.map(Double.init), "\(name)")
            }
        }
    }

    @Test func rejectsUnusableFiles() throws {
        try withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("inputs.csv")
            try writeBytes(Array("1,2\n".utf8), to: csv)
            expectECError("inputs.csv", "unknown input format") { _ = try InputFile.loadInputs(from: csv) }

            let vector = directory.appendingPathComponent("vector.npy")
            try NPY.write(Fixture.tensor(.float64, [5]), to: vector)
            expectECError("vector.npy", "[5]", "rank ≥ 2") { _ = try InputFile.loadInputs(from: vector) }

            let empty = directory.appendingPathComponent("empty.npy")
            try NPY.write(Fixture.tensor(.float64, [0, 3]), to: empty)
            expectECError("empty.npy", "[0, 3]", "at least one row") { _ = try InputFile.loadInputs(from: empty) }

            let nonFinite = directory.appendingPathComponent("nan.npy")
            try NPY.write(AnyTensor(shape: [2, 2], scalars: [1, 2, 3, Double.infinity]), to: nonFinite)
            expectECError("nan.npy: array contains +Inf at row 1, column 1") { _ = try InputFile.loadInputs(from: nonFinite) }

            expectECError("missing.npz", "cannot open") {
                _ = try InputFile.loadInputs(from: directory.appendingPathComponent("missing.npz"))
            }
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: IDXTests.fashionMNIST.path), "Fashion-MNIST is not installed"))
    func loadsFashionMNISTTestImages() throws {
        let inputs = try InputFile.loadInputs(from: IDXTests.fashionMNIST.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        #expect(inputs.rows == 10000 && inputs.columns == 784)
        #expect(inputs.scalars.min() == 0 && inputs.scalars.max() == 255)
    }
}
