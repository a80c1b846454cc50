import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

@Suite struct NPYTests {
    @Test func roundTripsEveryDtypeAndShape() throws {
        var random = RandomSource(seed: 21)
        var tensors = TensorDType.allCases.flatMap { dtype in (0..<8).map { _ in Fixture.randomTensor(dtype, random: &random) } }
        tensors += [Fixture.specials(Float.self), Fixture.specials(Double.self), Fixture.tensor(.uint8, []),
                    Fixture.tensor(.float64, [0]), Fixture.tensor(.int32, [2, 0, 3]), Fixture.tensor(.float32, [1000, 300])]
        try withTemporaryDirectory { directory in
            for (index, tensor) in tensors.enumerated() {
                let url = directory.appendingPathComponent("a\(index).npy")
                try NPY.write(tensor, to: url)
                let loaded = try NPY.read(from: url)
                #expect(identical(loaded, tensor), "array \(index) of shape \(tensor.shape) and dtype \(tensor.dtypeName)")
            }
        }
    }

    @Test func headerMatchesNumPyLayout() throws {
        let bytes = NPY.encode(Fixture.tensor(.float32, [3, 4]))
        #expect(Array(bytes.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"))
        #expect(header.hasSuffix(" \n"))
        #expect(String(decoding: NPY.encode(Fixture.tensor(.uint8, [5])).prefix(80), as: UTF8.self).contains("'shape': (5,)"))
        #expect(String(decoding: NPY.encode(Fixture.tensor(.int64, [])).prefix(80), as: UTF8.self).contains("'shape': ()"))
    }

    /// A hand-made npy file: header literal, version and raw data.
    static func npy(_ literal: String, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        let header = Array(literal.utf8) + [0x0a]
        if version == 1 {
            bytes += [UInt8(header.count & 0xff), UInt8(header.count >> 8)]
        } else {
            bytes += (0..<4).map { UInt8((header.count >> (8 * $0)) & 0xff) }
        }
        return bytes + header + data
    }

    @Test func readsVersionsByteOrdersAndFortranOrder() throws {
        let bigEndian: [UInt8] = [0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0]  // 1.0, -2.0 as >f4
        for version: UInt8 in [1, 2, 3] {
            let tensor = try NPY.decode(Self.npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
                                                 version: version, data: bigEndian), path: "v.npy")
            #expect(tensor == AnyTensor(shape: [2], storage: .float32([1, -2])))
        }
        let bigInt = try NPY.decode(Self.npy("{'descr': '>i8', 'fortran_order': False, 'shape': (1,)}",
                                             data: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), path: "i.npy")
        #expect(bigInt == AnyTensor(shape: [1], storage: .int64([-2])))
        // A 2×3 array stored column by column: [[0, 1, 2], [3, 4, 5]] is 0 3 1 4 2 5 in memory.
        let fortran = try NPY.decode(Self.npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }",
                                              data: [0, 3, 1, 4, 2, 5]), path: "f.npy")
        #expect(fortran == AnyTensor(shape: [2, 3], storage: .uint8([0, 1, 2, 3, 4, 5])))
        // Python 2 style long integers and double quotes.
        let legacy = try NPY.decode(Self.npy(#"{"descr": "<i4", "fortran_order": False, "shape": (1L, 1L)}"#,
                                             data: [7, 0, 0, 0]), path: "l.npy")
        #expect(legacy == AnyTensor(shape: [1, 1], storage: .int32([7])))
    }

    @Test func unsupportedDtypesAreNamed() {
        for descr in ["<c16", "|O", "<U5", "<f2", "|b1", "<u4"] {
            let error = expectECError("x.npy: unsupported npy dtype '\(descr)' (supported: <f4, <f8, |u1, <i4, <i8") {
                _ = try NPY.decode(Self.npy("{'descr': '\(descr)', 'fortran_order': False, 'shape': (0,), }", data: []),
                                   path: "x.npy")
            }
            #expect(error != nil)
        }
        expectECError("x.npy", "unsupported npy dtype", "structured") {
            _ = try NPY.decode(Self.npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (0,), }", data: []),
                               path: "x.npy")
        }
    }

    @Test func malformedFiles() {
        func check(_ bytes: [UInt8], _ fragments: String...) {
            do {
                _ = try NPY.decode(bytes, path: "bad.npy")
                Issue.record("accepted \(bytes.prefix(60))")
            } catch let error as ECError {
                #expect(error.description.hasPrefix("bad.npy: "))
                for fragment in fragments { #expect(error.description.contains(fragment), "\(error) lacks \(fragment)") }
            } catch {
                Issue.record("not an ECError: \(error)")
            }
        }
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        check([], "not a .npy file")
        check(Array("PK\u{3}\u{4}0000000000".utf8), "not a .npy file")
        check(Self.npy(good, version: 4, data: []), "version 4.0")
        check(Array(Self.npy(good, data: []).prefix(9)), "truncated")
        check(Array(Self.npy(good, data: []).prefix(30)), "truncated", "header")
        check(Self.npy(good, data: [0, 0, 0]), "truncated", "needs 8 data bytes", "holds 3")
        check(Self.npy(good, data: .init(repeating: 0, count: 12)), "trailing bytes")
        check(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", data: []), "non-negative")
        check(Self.npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", data: []), "fortran_order")
        check(Self.npy("{'descr': '<f4', 'shape': (2,), }", data: []), "lacks")
        check(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", data: []), "unexpected key 'extra'")
        check(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", data: []), "expected '}'")
        check(Self.npy("{'descr: '<f4'}", data: []), "header")
        check(Self.npy(String(repeating: "(", count: 10_000), data: []), "nests too deeply")
        check(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", data: []), "too large")
        check(Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", data: []), "too large")
        check(Self.npy("[1, 2]", data: []), "not a Python dict")
    }

    @Test func missingFile() {
        expectECError("absent.npy", "cannot open") { _ = try NPY.read(from: URL(fileURLWithPath: "/tmp/ec-none/absent.npy")) }
    }
}
