import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

@Suite struct IDXTests {
    /// An IDX file: magic 00 00 type rank, big-endian u32 sizes, then `data` (already big-endian).
    static func idx(type: UInt8, shape: [Int], data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for size in shape { bytes += (0..<4).reversed().map { UInt8((size >> (8 * $0)) & 0xff) } }
        return bytes + data
    }

    static func bigEndian<I: FixedWidthInteger>(_ values: [I]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    }

    @Test func decodesEveryElementType() throws {
        let u8 = try IDX.decode(Self.idx(type: 0x08, shape: [2, 3], data: [0, 1, 2, 253, 254, 255]), path: "u8")
        #expect(u8 == AnyTensor(shape: [2, 3], storage: .uint8([0, 1, 2, 253, 254, 255])))
        let i8 = try IDX.decode(Self.idx(type: 0x09, shape: [3], data: [0x80, 0xff, 0x7f]), path: "i8")
        #expect(i8 == AnyTensor(shape: [3], storage: .int32([-128, -1, 127])))
        let i16 = try IDX.decode(Self.idx(type: 0x0B, shape: [2], data: Self.bigEndian([Int16.min, 300])), path: "i16")
        #expect(i16 == AnyTensor(shape: [2], storage: .int32([-32768, 300])))
        let i32 = try IDX.decode(Self.idx(type: 0x0C, shape: [1, 2], data: Self.bigEndian([Int32.min, 70_000])), path: "i32")
        #expect(i32 == AnyTensor(shape: [1, 2], storage: .int32([.min, 70_000])))
        let f32 = try IDX.decode(Self.idx(type: 0x0D, shape: [2], data: Self.bigEndian([Float(1.5).bitPattern, Float(-0.25).bitPattern])),
                                 path: "f32")
        #expect(f32 == AnyTensor(shape: [2], storage: .float32([1.5, -0.25])))
        let f64 = try IDX.decode(Self.idx(type: 0x0E, shape: [1], data: Self.bigEndian([Double.pi.bitPattern])), path: "f64")
        #expect(f64 == AnyTensor(shape: [1], storage: .float64([.pi])))
        let scalar = try IDX.decode(Self.idx(type: 0x08, shape: [], data: [9]), path: "0d")
        #expect(scalar == AnyTensor(shape: [], storage: .uint8([9])))
        let empty = try IDX.decode(Self.idx(type: 0x0D, shape: [0, 28], data: []), path: "empty")
        #expect(empty.shape == [0, 28])
    }

    @Test func readsGzipByNameAndByMagic() throws {
        let content = Self.idx(type: 0x08, shape: [200, 400], data: (0..<80_000).map { UInt8($0 % 251) })
        let expected = try IDX.decode(content, path: "raw")
        try withTemporaryDirectory { directory in
            let named = directory.appendingPathComponent("images-idx3-ubyte.gz")
            try writeBytes(gzipStored(content), to: named)
            #expect(try IDX.read(from: named) == expected)
            // No .gz name: detected by the magic. Two concatenated members make one stream.
            let split = 1000
            let unnamed = directory.appendingPathComponent("images-idx3-ubyte")
            try writeBytes(gzipStored(Array(content[..<split])) + gzipStored(Array(content[split...])), to: unnamed)
            #expect(try IDX.read(from: unnamed) == expected)
            let raw = directory.appendingPathComponent("raw-idx3-ubyte")
            try writeBytes(content, to: raw)
            #expect(try IDX.read(from: raw) == expected)
        }
    }

    @Test func badFiles() throws {
        expectECError("bad.idx", "bad IDX magic number 0x00010801") {
            _ = try IDX.decode([0, 1, 8, 1, 0, 0, 0, 1, 5], path: "bad.idx")
        }
        expectECError("bad.idx", "bad IDX magic number 0x00000701") {
            _ = try IDX.decode([0, 0, 7, 1, 0, 0, 0, 1, 5], path: "bad.idx")
        }
        expectECError("bad.idx", "truncated") { _ = try IDX.decode([0, 0], path: "bad.idx") }
        expectECError("bad.idx", "truncated", "dimension sizes") { _ = try IDX.decode([0, 0, 8, 2, 0, 0, 0, 1], path: "bad.idx") }
        expectECError("bad.idx", "sizes [2, 3]", "6 elements", "holds 5 data bytes") {
            _ = try IDX.decode(Self.idx(type: 0x08, shape: [2, 3], data: [1, 2, 3, 4, 5]), path: "bad.idx")
        }
        expectECError("bad.idx", "holds 7 data bytes") {
            _ = try IDX.decode(Self.idx(type: 0x08, shape: [2, 3], data: [1, 2, 3, 4, 5, 6, 7]), path: "bad.idx")
        }
        expectECError("bad.idx", "holds 4 data bytes") {
            _ = try IDX.decode(Self.idx(type: 0x0E, shape: [1], data: [1, 2, 3, 4]), path: "bad.idx")
        }
        let gz = gzipStored(Self.idx(type: 0x08, shape: [100], data: .init(repeating: 3, count: 100)))
        for cut in [2, 10, 30, gz.count - 4, gz.count - 1] {
            expectECError("bad.gz", "gzip stream") { _ = try IDX.decode(Array(gz.prefix(cut)), path: "bad.gz") }
        }
        var badCRC = gz
        badCRC[gz.count - 6] ^= 1
        expectECError("bad.gz", "gzip stream", "corrupt") { _ = try IDX.decode(badCRC, path: "bad.gz") }
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("plain.gz")
            try writeBytes(Self.idx(type: 0x08, shape: [1], data: [1]), to: url)
            expectECError("plain.gz", "not gzip data") { _ = try IDX.read(from: url) }
        }
    }

    static let fashionMNIST = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: fashionMNIST.path), "Fashion-MNIST is not installed"))
    func loadsFashionMNIST() throws {
        let images = try IDX.read(from: Self.fashionMNIST.appendingPathComponent("train-images-idx3-ubyte.gz"))
        #expect(images.shape == [60000, 28, 28])
        #expect(images.dtype == .uint8)
        let labels = try IDX.read(from: Self.fashionMNIST.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        #expect(labels.shape == [60000])
        guard case .uint8(let values) = labels.storage else { Issue.record("labels are not uint8"); return }
        #expect(values.prefix(3) == [9, 0, 0])  // ankle boot, T-shirt, T-shirt
        #expect(Set(values) == Set(0...9))
        let testImages = try IDX.read(from: Self.fashionMNIST.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        #expect(testImages.shape == [10000, 28, 28])
        let testLabels = try IDX.read(from: Self.fashionMNIST.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        #expect(testLabels.shape == [10000])
    }
}
