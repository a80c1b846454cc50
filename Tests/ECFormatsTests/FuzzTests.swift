import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

/// Corrupted files — every byte flipped, zeroed or nudged, every truncation, random multi-byte
/// damage — must load or throw an `ECError`; any crash, trap or out-of-bounds read fails the
/// whole test process.
@Suite struct FuzzTests {
    /// Deterministic corruptions of `bytes`.
    static func variants(of bytes: [UInt8], seed: UInt64) -> [[UInt8]] {
        var out = [[UInt8]]()
        for position in bytes.indices {
            for mutate in [{ (b: UInt8) in b ^ 0xff }, { _ in 0 }, { $0 &+ 1 }, { _ in 0x80 }] {
                var copy = bytes
                copy[position] = mutate(copy[position])
                out.append(copy)
            }
            out.append(Array(bytes.prefix(position)))
        }
        var random = RandomSource(seed: seed)
        for _ in 0..<300 {
            var copy = bytes
            for _ in 0...(random.next() % 4) { copy[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            out.append(copy)
        }
        out.append(bytes + [0])
        out.append(bytes + bytes)
        return out
    }

    /// Decodes every variant; returns how many were rejected. Non-ECError errors are failures.
    @discardableResult
    static func fuzz(_ bytes: [UInt8], seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation,
                     _ decode: ([UInt8]) throws -> Void) -> Int {
        var rejected = 0
        for variant in variants(of: bytes, seed: seed) {
            do {
                try decode(variant)
            } catch let error as ECError {
                rejected += 1
                if error.description.contains("\n") { Issue.record("multi-line message: \(error)", sourceLocation: sourceLocation) }
            } catch {
                Issue.record("non-ECError \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            }
        }
        #expect(rejected > bytes.count, "too few corruptions were detected", sourceLocation: sourceLocation)
        return rejected
    }

    @Test func safetensors() throws {
        let file = SafetensorsFile(tensors: [NamedTensor("w", Fixture.tensor(.float32, [3, 2])),
                                             NamedTensor("b", Fixture.tensor(.float64, [3])),
                                             NamedTensor("i", Fixture.tensor(.int64, []))],
                                   metadata: ["activation": "tanh"])
        Self.fuzz(try file.encoded(), seed: 1) { _ = try SafetensorsFile(decoding: $0, path: "f.safetensors") }
    }

    @Test func networkFile() throws {
        var network = try Network.toyTeacher(inputs: 3, hiddenWidths: [2], outputs: 1, activation: .tanh, seed: 1)
        network.skip = DenseLayer(weight: Matrix(rows: 1, columns: 3, repeating: 0.5), bias: [1])
        Self.fuzz(try network.safetensors(precision: .float32).encoded(), seed: 2) {
            _ = try Network<Double>(safetensors: SafetensorsFile(decoding: $0, path: "n.safetensors"), path: "n.safetensors")
        }
    }

    @Test func npy() {
        Self.fuzz(NPY.encode(Fixture.tensor(.float32, [3, 4])), seed: 3) { _ = try NPY.decode($0, path: "f.npy") }
        let fortran = NPYTests.npy("{'descr': '>i8', 'fortran_order': True, 'shape': (2, 3, 2), }",
                                   data: .init(repeating: 1, count: 96))
        Self.fuzz(fortran, seed: 4) { _ = try NPY.decode($0, path: "f.npy") }
    }

    @Test(arguments: [NPZCompression.stored, .deflated])
    func npz(compression: NPZCompression) throws {
        let probe = try ProbeSet(inputs: Fixture.tensor(.float64, [4, 3]).matrix(as: Double.self),
                                 targets: Fixture.tensor(.float32, [4, 1]).matrix(as: Double.self))
        Self.fuzz(try probe.npz.encoded(compression: compression), seed: 5) {
            _ = try ProbeSet<Float>(npz: NPZFile(decoding: $0, path: "p.npz"), path: "p.npz")
        }
        Self.fuzz(try probe.npz.encoded(compression: compression, forceZip64: true), seed: 6) {
            _ = try NPZFile(decoding: $0, path: "p.npz")
        }
    }

    @Test func idx() {
        let content = IDXTests.idx(type: 0x0D, shape: [2, 3, 2], data: .init(repeating: 0x3f, count: 48))
        Self.fuzz(content, seed: 7) { _ = try IDX.decode($0, path: "f.idx") }
        Self.fuzz(gzipStored(content), seed: 8) { _ = try IDX.decode($0, path: "f.idx.gz") }
    }

    @Test func corruptedFilesOnDisk() throws {
        let bytes = try SafetensorsFile(tensors: [NamedTensor("w", Fixture.tensor(.float32, [4]))]).encoded()
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("f.safetensors")
            for variant in Self.variants(of: bytes, seed: 9).enumerated().filter({ $0.offset % 7 == 0 }).map(\.element) {
                try writeBytes(variant, to: url)
                do { _ = try SafetensorsFile.read(from: url) } catch is ECError {} catch { Issue.record("non-ECError: \(error)") }
            }
        }
    }
}
