import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

/// Big files (200 MB in release, 16 MB in debug) survive the bulk-copy paths intact. How fast they
/// load is a benchmark question, not a test's (speed claims live in Benchmarks/).
@Suite struct LargeFileTests {
    #if DEBUG
    static let megabytes = 16
    #else
    static let megabytes = 200
    #endif

    static let tensor: AnyTensor = {
        let count = megabytes << 18   // float32 elements
        var values = [Float](repeating: 0.5, count: count)
        for i in stride(from: 0, to: count, by: 4099) { values[i] = Float(i) }
        return AnyTensor(shape: [count / 1024, 1024], scalars: values)
    }()

    static func check(_ loaded: AnyTensor?) {
        #expect(loaded == tensor, "large tensor did not survive the round trip")
    }

    @Test func largeSafetensorsRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("big.safetensors")
            try SafetensorsFile(tensors: [NamedTensor("w", Self.tensor)]).write(to: url)
            Self.check(try SafetensorsFile.read(from: url)["w"])
        }
    }

    @Test func largeNPYAndStoredNPZRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let npy = directory.appendingPathComponent("big.npy")
            let npz = directory.appendingPathComponent("big.npz")
            try NPY.write(Self.tensor, to: npy)
            try NPZFile(arrays: [NamedTensor("x", Self.tensor)]).write(to: npz)
            Self.check(try NPY.read(from: npy))
            Self.check(try NPZFile.read(from: npz)["x"])
        }
    }
}
