import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

@Suite struct SafetensorsTests {
    @Test func roundTripsEveryDtypeAndShape() throws {
        var random = RandomSource(seed: 11)
        var tensors = [NamedTensor]()
        for (index, dtype) in TensorDType.allCases.enumerated() {
            for trial in 0..<6 { tensors.append(NamedTensor("t\(index).\(trial)", Fixture.randomTensor(dtype, random: &random))) }
        }
        tensors.append(NamedTensor("specials32", Fixture.specials(Float.self)))
        tensors.append(NamedTensor("specials64", Fixture.specials(Double.self)))
        tensors.append(NamedTensor("scalar", Fixture.tensor(.int64, [])))
        tensors.append(NamedTensor("empty", Fixture.tensor(.float32, [0, 3])))
        tensors.append(NamedTensor("ünïcode \"quoted\"\n", Fixture.tensor(.uint8, [2])))
        let file = SafetensorsFile(tensors: tensors, metadata: ["activation": "tanh", "note": "a \"quoted\"\tvalue ✓"])
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("all.safetensors")
            try file.write(to: url)
            let loaded = try SafetensorsFile.read(from: url)
            #expect(loaded.metadata == file.metadata)
            // Reading orders tensors by data offset, which is the order they were written in.
            #expect(loaded.tensors.map(\.name) == tensors.map(\.name))
            for (a, b) in zip(loaded.tensors, tensors) {
                #expect(identical(a.tensor, b.tensor), "tensor \(a.name)")
            }
            #expect(loaded["scalar"]?.shape == [])
            #expect(loaded["absent"] == nil)
        }
    }

    @Test func headerIsPaddedToEightBytesAndCompact() throws {
        let bytes = try SafetensorsFile(tensors: [NamedTensor("w", Fixture.tensor(.float32, [2]))]).encoded()
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.trimmingCharacters(in: .whitespaces) == #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#)
        #expect(bytes.count == 8 + headerLength + 8)
    }

    @Test func emptyFileRoundTrips() throws {
        let file = SafetensorsFile()
        #expect(try SafetensorsFile(decoding: file.encoded(), path: "empty") == file)
    }

    @Test func largeTensorRoundTripsExactly() throws {
        let count = 1 << 21
        var random = RandomSource(seed: 5)
        let values = (0..<count).map { _ in random.normal() }
        let file = SafetensorsFile(tensors: [NamedTensor("big", AnyTensor(shape: [count / 64, 64], scalars: values))])
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("big.safetensors")
            try file.write(to: url)
            #expect(try SafetensorsFile.read(from: url) == file)
        }
    }

    @Test func writeIsAtomicAndLeavesNoTemporaryFiles() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("w.safetensors")
            try SafetensorsFile(tensors: [NamedTensor("a", Fixture.tensor(.float64, [3]))]).write(to: url)
            try SafetensorsFile(tensors: [NamedTensor("b", Fixture.tensor(.float64, [2]))]).write(to: url)
            #expect(try SafetensorsFile.read(from: url).tensors.map(\.name) == ["b"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["w.safetensors"])
        }
    }

    @Test func writeRejectsReservedAndDuplicateNames() {
        let t = Fixture.tensor(.float32, [1])
        expectECError("duplicate", "'a'") {
            _ = try SafetensorsFile(tensors: [NamedTensor("a", t), NamedTensor("a", t)]).encoded()
        }
        expectECError("__metadata__", "reserved") { _ = try SafetensorsFile(tensors: [NamedTensor("__metadata__", t)]).encoded() }
        expectECError("missing-dir", "cannot create") {
            try SafetensorsFile().write(to: URL(fileURLWithPath: "/nonexistent-ec-dir/missing-dir.safetensors"))
        }
    }

    // MARK: - Bad input

    @Test func missingFileAndDirectory() throws {
        expectECError("no-such.safetensors", "No such file") {
            _ = try SafetensorsFile.read(from: URL(fileURLWithPath: "/tmp/no-such-dir-ec/no-such.safetensors"))
        }
        try withTemporaryDirectory { directory in
            expectECError(directory.path, "directory") { _ = try SafetensorsFile.read(from: directory) }
        }
    }

    @Test func truncatedFilesAreRejected() throws {
        let bytes = try SafetensorsFile(tensors: [NamedTensor("w", Fixture.tensor(.float32, [3, 4])),
                                                  NamedTensor("b", Fixture.tensor(.float64, [3]))],
                                        metadata: ["activation": "relu"]).encoded()
        for cut in [0, 4, 7, 8, 9, 20, 60, bytes.count - 24 - 1, bytes.count - 1] {
            expectECError("cut.safetensors") { _ = try SafetensorsFile(decoding: Array(bytes.prefix(cut)), path: "cut.safetensors") }
        }
        expectECError("x.st", "too short") { _ = try SafetensorsFile(decoding: [1, 2, 3], path: "x.st") }
        // Header length claiming 100 bytes with only 10 present.
        var lying = rawSafetensors(header: "{}        ")
        lying[0] = 100
        expectECError("x.st", "header length 100", "exceeds") { _ = try SafetensorsFile(decoding: lying, path: "x.st") }
        var huge = rawSafetensors(header: "{}")
        for i in 0..<8 { huge[i] = 0xff }
        expectECError("x.st", "exceeds") { _ = try SafetensorsFile(decoding: huge, path: "x.st") }
    }

    @Test func malformedHeaders() {
        func check(_ header: String, data: [UInt8] = [], _ fragments: String...) {
            let bytes = rawSafetensors(header: header, data: data)
            do {
                _ = try SafetensorsFile(decoding: bytes, path: "bad.safetensors")
                Issue.record("header \(header) was accepted")
            } catch let error as ECError {
                let message = error.description
                #expect(message.hasPrefix("bad.safetensors: "), "\(message)")
                #expect(!message.contains("\n"), "\(message)")
                for fragment in fragments { #expect(message.contains(fragment), "\(message) lacks \(fragment)") }
            } catch {
                Issue.record("not an ECError: \(error)")
            }
        }
        check("{not json", "not valid JSON")
        check("[1, 2]", "not a JSON object")
        check("{\"w\": 3}", "tensor 'w'", "wrong type")
        check(#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0], "tensor 'w'", "missing 'dtype'")
        check(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}}"#, data: [0, 0, 0, 0], "tensor 'w'", "data_offsets")
        check(#"{"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0],
              "tensor 'w'", "unsupported dtype 'BF16'", "F32, F64, U8, I32, I64")
        check(#"{"w":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,0]}}"#, "tensor 'w'", "negative")
        check(#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, data: .init(repeating: 0, count: 20),
              "tensor 'w'", "span 20 bytes", "needs 24")
        check(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, "tensor 'w'", "data_offsets [8, 0]")
        check(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0], "tensor 'w'", "extend past")
        check(#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, "tensor 'w'", "too large")
        check(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
              data: .init(repeating: 0, count: 12), "overlap", "'a'", "'b'")
        check(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
              data: .init(repeating: 0, count: 12), "4 unused bytes", "'a'", "'b'")
        check(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: .init(repeating: 0, count: 8),
              "unused bytes at the start", "'a'")
        check(#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [1, 2, 3], "2 bytes of trailing data")
        check(#"{"__metadata__":{"k":1}}"#, "__metadata__", "strings")
        check("{}", data: [9], "1 bytes of trailing data")
        // Names from the file are escaped, so the message stays on one line.
        check(#"{"a\nb":{"dtype":"X\u0007","shape":[],"data_offsets":[0,0]}}"#, #"tensor 'a\nb'"#, #"'X\u{7}'"#)
        let raw = rawSafetensors(header: "{\"\u{00}\u{00}\"}")
        var bytes = raw
        bytes[10] = 0xC3  // a lone UTF-8 lead byte
        expectECError("bad.safetensors", "UTF-8") { _ = try SafetensorsFile(decoding: bytes, path: "bad.safetensors") }
    }

    @Test func readsPythonStylePaddedHeaderWithMetadata() throws {
        let header = #"{"__metadata__":{"format":"np"},"x":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let file = try SafetensorsFile(decoding: rawSafetensors(header: padded, data: [42, 0, 0, 0, 0, 0, 0, 0]), path: "p")
        #expect(file.metadata == ["format": "np"])
        #expect(file["x"] == AnyTensor(shape: [], storage: .int64([42])))
    }
}
