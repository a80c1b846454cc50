import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

/// Big files load through memcpy-speed paths. Release builds check the 200 MB target; debug
/// builds use a smaller file and only check correctness.
@Suite struct LargeFileTests {
    #if DEBUG
    static let megabytes = 16
    static let timeLimit: Duration = .seconds(60)
    #else
    static let megabytes = 200
    static let timeLimit: Duration = .seconds(1)
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

    @Test func safetensorsLoadsQuickly() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("big.safetensors")
            try SafetensorsFile(tensors: [NamedTensor("w", Self.tensor)]).write(to: url)
            let clock = ContinuousClock()
            var loaded: SafetensorsFile?
            let elapsed = try clock.measure { loaded = try SafetensorsFile.read(from: url) }
            #expect(elapsed < Self.timeLimit, "\(Self.megabytes) MB safetensors took \(elapsed)")
            Self.check(loaded?["w"])
        }
    }

    @Test func npyAndStoredNPZLoadQuickly() throws {
        try withTemporaryDirectory { directory in
            let npy = directory.appendingPathComponent("big.npy")
            let npz = directory.appendingPathComponent("big.npz")
            try NPY.write(Self.tensor, to: npy)
            try NPZFile(arrays: [NamedTensor("x", Self.tensor)]).write(to: npz)
            let clock = ContinuousClock()
            var fromNPY: AnyTensor?
            var fromNPZ: NPZFile?
            let npyTime = try clock.measure { fromNPY = try NPY.read(from: npy) }
            let npzTime = try clock.measure { fromNPZ = try NPZFile.read(from: npz) }
            #expect(npyTime < Self.timeLimit, "\(Self.megabytes) MB npy took \(npyTime)")
            // The npz adds a CRC-32 pass over the data.
            #expect(npzTime < Self.timeLimit * 2, "\(Self.megabytes) MB npz took \(npzTime)")
            Self.check(fromNPY)
            Self.check(fromNPZ?["x"])
        }
    }
}
