import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

@Suite struct NetworkFileTests {
    static func teacher(skip: Bool) throws -> Network<Double> {
        var network = try Network.toyTeacher(inputs: 4, hiddenWidths: [6, 5], outputs: 2, activation: .softplus, seed: 3)
        if skip {
            network.skip = DenseLayer(weight: randomMatrix(2, 4, seed: 9), bias: [0.5, -1.25])
        }
        return network
    }

    @Test(arguments: [false, true])
    func roundTripsInBothPrecisions(skip: Bool) throws {
        let network = try Self.teacher(skip: skip)
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("teacher.safetensors")
            try network.save(to: url, metadata: ["seed": "3", "activation": "ignored"])
            #expect(try Network<Double>.load(from: url) == network)
            #expect(try Network<Float>.load(from: url) == network.converted(to: Float.self))

            let file = try SafetensorsFile.read(from: url)
            #expect(file.metadata == ["seed": "3", "activation": "softplus"])
            var names = ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"]
            if skip { names += ["skip.weight", "skip.bias"] }
            #expect(file.tensors.map(\.name) == names)
            #expect(file["layers.0.weight"]?.shape == [6, 4])
            #expect(file["layers.2.bias"]?.shape == [2])
            #expect(file["layers.1.weight"]?.dtype == .float64)

            try network.save(to: url, precision: .float32)
            #expect(try SafetensorsFile.read(from: url)["layers.1.weight"]?.dtype == .float32)
            #expect(try Network<Double>.load(from: url) == network.converted(to: Float.self).converted(to: Double.self))
        }
    }

    /// A network file with Fixture weights of the given shapes (float32 unless `dtype` says).
    static func file(_ shapes: [(String, [Int])], activation: String? = "tanh", dtype: TensorDType = .float32) -> SafetensorsFile {
        SafetensorsFile(tensors: shapes.map { NamedTensor($0.0, Fixture.tensor(dtype, $0.1)) },
                        metadata: activation.map { ["activation": $0] } ?? [:])
    }

    static let valid: [(String, [Int])] = [("layers.0.weight", [3, 2]), ("layers.0.bias", [3]),
                                           ("layers.1.weight", [1, 3]), ("layers.1.bias", [1])]

    /// Writes `file` as net.safetensors and expects loading it to fail with a message naming
    /// the file and containing `fragments`.
    @discardableResult
    func expectLoadError(_ file: SafetensorsFile, _ fragments: String...,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> ECError? {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("net.safetensors")
            try file.write(to: url)
            let error = expectECError(sourceLocation: sourceLocation) { _ = try Network<Double>.load(from: url) }
            let message = error?.description ?? ""
            for fragment in ["net.safetensors"] + fragments where !message.contains(fragment) {
                Issue.record("\"\(message)\" does not mention \"\(fragment)\"", sourceLocation: sourceLocation)
            }
            return error
        }
    }

    @Test func validMinimalFileLoads() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("net.safetensors")
            try Self.file(Self.valid, dtype: .float64).write(to: url)
            let network = try Network<Float>.load(from: url)
            #expect(network.widths == [2, 3, 1])
            #expect(network.activation == .tanh)
            #expect(network.layers[0].weight.scalars == Fixture.tensor(.float64, [3, 2]).scalars(as: Float.self))
        }
    }

    @Test func rejectsBadNetworkFiles() throws {
        var gap = Self.valid
        gap.replaceSubrange(2...3, with: [("layers.2.weight", [1, 3]), ("layers.2.bias", [1])])
        try expectLoadError(Self.file(gap), "missing tensor 'layers.1.weight'")
        try expectLoadError(Self.file(Array(Self.valid.dropLast())), "missing tensor 'layers.1.bias'")
        try expectLoadError(Self.file([("skip.weight", [1, 2]), ("skip.bias", [1])]), "no layers")
        try expectLoadError(Self.file([]), "no layers")

        var unchained = Self.valid
        unchained[2] = ("layers.1.weight", [1, 4])
        let error = try expectLoadError(Self.file(unchained), "layers.0.weight", "layers.1.weight", "do not chain")
        if let error, case .shapeMismatch = error {} else { Issue.record("expected shapeMismatch, got \(String(describing: error))") }

        var badBias = Self.valid
        badBias[1] = ("layers.0.bias", [2])
        try expectLoadError(Self.file(badBias), "layers.0.bias", "[2]", "3 rows")
        var badRank = Self.valid
        badRank[0] = ("layers.0.weight", [6])
        try expectLoadError(Self.file(badRank), "layers.0.weight", "[6]")
        var emptyLayer = Self.valid
        emptyLayer[0] = ("layers.0.weight", [3, 0])
        try expectLoadError(Self.file(emptyLayer), "layers.0.weight", "positive")

        try expectLoadError(Self.file(Self.valid, activation: "swishy"), "metadata 'activation'", "unknown activation 'swishy'")
        try expectLoadError(Self.file(Self.valid, activation: nil), "no 'activation'")
        try expectLoadError(Self.file(Self.valid + [("extra", [1])]), "unexpected tensor 'extra'")
        try expectLoadError(Self.file(Self.valid + [("layers.01.weight", [1])]), "unexpected tensor 'layers.01.weight'")
        try expectLoadError(Self.file(Self.valid + [("skip.weight", [1, 2])]), "only one of skip.weight and skip.bias")
        try expectLoadError(Self.file(Self.valid + [("skip.weight", [2, 2]), ("skip.bias", [2])]), "skip.weight", "[2, 2]", "[1, 2]")
        try expectLoadError(Self.file(Self.valid, dtype: .int32), "layers.0.weight", "int32", "float32 or float64")
    }

    @Test func rejectsNonFiniteWeights() throws {
        for (value, kind) in [(Float.nan, "NaN"), (Float.infinity, "+Inf"), (-Float.infinity, "-Inf")] {
            var weights = Fixture.tensor(.float32, [1, 3]).scalars(as: Float.self)
            weights[2] = value
            var file = Self.file(Self.valid)
            file.tensors[2] = NamedTensor("layers.1.weight", AnyTensor(shape: [1, 3], scalars: weights))
            let error = try expectLoadError(file, "net.safetensors: layers.1.weight contains \(kind) at row 0, column 2")
            if let error, case .nonFiniteData = error {} else { Issue.record("expected nonFiniteData, got \(String(describing: error))") }
        }
        var file = Self.file(Self.valid)
        file.tensors[1] = NamedTensor("layers.0.bias", AnyTensor(shape: [3], scalars: [0, Float.nan, 0]))
        try expectLoadError(file, "layers.0.bias contains NaN at index 1")
    }
}
