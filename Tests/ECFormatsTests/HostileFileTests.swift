import ECCore
import ECFormats
import Foundation
import Testing

/// Files crafted to crash, exhaust memory or slip through (issue 29): each is refused with one
/// line naming the problem.
@Suite struct HostileFileTests {
    static func npy(header: String, data: [UInt8] = []) -> [UInt8] {
        let body = Array(header.utf8) + [UInt8(ascii: "\n")]
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(body.count & 0xff), UInt8(body.count >> 8)] + body + data
    }

    static func safetensors(_ header: String, data: [UInt8]) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + data
    }

    @Test func zeroRowsWithHugeTrailingDimensionsAreRefused() {
        let idx = IDXTests.idx(type: 0x08, shape: [0, 0xffff_ffff, 0xffff_ffff], data: [])
        expectECError("idx", "too large") { _ = try IDX.decode(idx, path: "idx") }
        let big = 1 << 62
        expectECError("npy", "too large") { _ = try NPY.decode(Self.npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (0, \(big), \(big)), }"), path: "npy") }
        let header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[0,\(big),\(big)],\"data_offsets\":[0,0]}}"
        expectECError("st", "too large") { _ = try SafetensorsFile(decoding: Self.safetensors(header, data: []), path: "st") }
    }

    @Test func shapesOfHighRankAreRefusedInAShortLine() {
        let shape = Array(repeating: "1", count: 10_000).joined(separator: ", ")
        let error = expectECError("npy", "rank 10000") {
            _ = try NPY.decode(Self.npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (\(shape)), }", data: [0, 0, 0, 0, 0, 0, 0, 0]), path: "npy")
        }
        #expect((error?.description.count ?? 0) < 200)
    }

    @Test func duplicateSafetensorsKeysAreRefused() {
        let tensor = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}"
        let twiceMetadata = "{\"__metadata__\":{\"activation\":\"tanh\",\"activation\":\"relu\"},\"x\":\(tensor)}"
        expectECError("st", "'activation' twice") { _ = try SafetensorsFile(decoding: Self.safetensors(twiceMetadata, data: [7]), path: "st") }
        let twiceTensor = "{\"x\":\(tensor),\"\\u0078\":\(tensor)}"
        expectECError("st", "'x' twice") { _ = try SafetensorsFile(decoding: Self.safetensors(twiceTensor, data: [7]), path: "st") }
        let fine = "{\"__metadata__\":{\"a\":\"[1,1]\"},\"x\":{\"dtype\":\"U8\",\"shape\":[1,1],\"data_offsets\":[0,1]}}"
        #expect(throws: Never.self) { _ = try SafetensorsFile(decoding: Self.safetensors(fine, data: [7]), path: "st") }
    }

    @Test func gzipIDXInflatesOnlyWhatItsHeaderDeclares() throws {
        let declared = IDXTests.idx(type: 0x08, shape: [100], data: [])
        expectECError("g.gz", "more than its declared 108 bytes") {
            _ = try IDX.decode(gzipStored(declared + [UInt8](repeating: 0, count: 1 << 20)), path: "g.gz")
        }
        let large = gzipStored(IDXTests.idx(type: 0x08, shape: [1 << 16], data: [UInt8](repeating: 0, count: 1 << 16)))
        expectECError("g.gz", "memory budget") { _ = try IDX.decode(large, path: "g.gz", memoryBudget: 1 << 10) }
        #expect(try IDX.decode(large, path: "g.gz").count == 1 << 16)
    }

    @Test func zipEntriesThatShareBytesOrExceedTheBudgetAreRefused() throws {
        let tensor = AnyTensor(shape: [4], scalars: [1.0, 2, 3, 4])
        var bytes = try NPZFile(arrays: [NamedTensor("a", tensor), NamedTensor("b", tensor)]).encoded()
        let first = NPZTests.centralRecord(bytes)
        let second = NPZTests.centralRecord(Array(bytes[(first + 4)...])) + first + 4
        NPZTests.patch(&bytes, at: second + 42, 0, width: 4)   // b's local header offset := a's
        expectECError("z.npz", "overlaps") { _ = try NPZFile(decoding: bytes, path: "z.npz") }
        let deflated = try NPZFile(arrays: [NamedTensor("a", tensor)]).encoded(compression: .deflated)
        expectECError("z.npz", "memory budget") { _ = try NPZFile(decoding: deflated, path: "z.npz", memoryBudget: 100) }
    }

    @Test func fifosAreRefusedWithoutBlocking() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ec-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("x.npy")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        expectECError("x.npy", "not a regular file") { _ = try NPY.read(from: fifo) }
        expectECError("x.npy", "device, FIFO") { try NPY.write(AnyTensor(shape: [1], scalars: [1.0]), to: fifo) }
    }

    @Test func shapeProductsAreChecked() {
        #expect(Shape.product([0, 1 << 62, 1 << 62]) == nil)
        #expect(Shape.product([3, 0, 5]) == 0)
        #expect(Shape.product([2, 3], times: 8) == 48)
        #expect(Shape.product([-1]) == nil)
        #expect(Shape.product([1 << 61], times: 8) == nil)
    }
}
