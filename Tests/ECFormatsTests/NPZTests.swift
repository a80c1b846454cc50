import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

@Suite struct NPZTests {
    static func sample() -> NPZFile {
        var random = RandomSource(seed: 31)
        var arrays = TensorDType.allCases.enumerated().map { NamedTensor("r\($0.offset)", Fixture.randomTensor($0.element, random: &random)) }
        arrays += [NamedTensor("x", Fixture.tensor(.float64, [100])), NamedTensor("specials", Fixture.specials(Float.self)),
                   NamedTensor("scalar", Fixture.tensor(.int32, [])), NamedTensor("ünï", Fixture.tensor(.uint8, [0, 4]))]
        return NPZFile(arrays: arrays)
    }

    @Test(arguments: [(NPZCompression.stored, false), (.deflated, false), (.stored, true), (.deflated, true)])
    func roundTrips(compression: NPZCompression, forceZip64: Bool) throws {
        let file = Self.sample()
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("a.npz")
            try file.write(to: url, compression: compression, forceZip64: forceZip64)
            let loaded = try NPZFile.read(from: url)
            #expect(loaded.names == file.names)
            for (a, b) in zip(loaded.arrays, file.arrays) { #expect(identical(a.tensor, b.tensor), "array \(a.name)") }
        }
    }

    @Test func compressionShrinksRedundantData() throws {
        let file = NPZFile(arrays: [NamedTensor("zeros", AnyTensor(shape: [10_000], storage: .float64(.init(repeating: 0, count: 10_000))))])
        let deflated = try file.encoded(compression: .deflated)
        #expect(deflated.count < 1000)
        #expect(try file.encoded(compression: .stored).count > 80_000)
        // Inflating past 16× the compressed size exercises the growing output buffer.
        #expect(try NPZFile(decoding: deflated, path: "zeros.npz") == file)
    }

    @Test func emptyArchiveRoundTrips() throws {
        #expect(try NPZFile(decoding: NPZFile().encoded(), path: "e.npz") == NPZFile())
        expectECError("duplicate array name 'a'") {
            _ = try NPZFile(arrays: [NamedTensor("a", Fixture.tensor(.uint8, [1])), NamedTensor("a", Fixture.tensor(.uint8, [1]))]).encoded()
        }
    }

    /// The offset of the first central-directory record ("PK\1\2").
    static func centralRecord(_ bytes: [UInt8]) -> Int {
        (0..<(bytes.count - 3)).first { bytes[$0 ..< $0 + 4].elementsEqual([0x50, 0x4b, 0x01, 0x02]) }!
    }

    static func patch(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32, width: Int) {
        for i in 0..<width { bytes[offset + i] = UInt8((value >> (8 * UInt32(i))) & 0xff) }
    }

    static let single = NPZFile(arrays: [NamedTensor("a", Fixture.tensor(.float64, [100]))])

    @Test func corruptArchives() throws {
        let stored = try Self.single.encoded()
        let deflated = try Self.single.encoded(compression: .deflated)
        let central = Self.centralRecord(stored)
        let centralDeflated = Self.centralRecord(deflated)

        expectECError("bad.npz", "not a zip archive") { _ = try NPZFile(decoding: Array(repeating: 7, count: 100), path: "bad.npz") }
        expectECError("bad.npz", "not a zip archive") { _ = try NPZFile(decoding: [], path: "bad.npz") }
        for cut in [1, 30, 500, central, stored.count - 1] {
            expectECError("bad.npz") { _ = try NPZFile(decoding: Array(stored.prefix(cut)), path: "bad.npz") }
        }

        var flipped = stored
        flipped[600] ^= 0x40
        expectECError("bad.npz", "entry 'a.npy'", "CRC-32 mismatch") { _ = try NPZFile(decoding: flipped, path: "bad.npz") }

        var method = stored
        Self.patch(&method, at: 8, 12, width: 2)
        Self.patch(&method, at: central + 10, 12, width: 2)
        expectECError("bad.npz", "entry 'a.npy'", "unsupported compression method 12") {
            _ = try NPZFile(decoding: method, path: "bad.npz")
        }

        var encrypted = stored
        encrypted[central + 8] |= 1
        expectECError("bad.npz", "entry 'a.npy'", "encrypted") { _ = try NPZFile(decoding: encrypted, path: "bad.npz") }

        // A deflate stream cut short: the directory claims fewer compressed bytes than there are.
        var shortStream = deflated
        let compressedSize = Int(deflated[centralDeflated + 20]) | Int(deflated[centralDeflated + 21]) << 8
        Self.patch(&shortStream, at: centralDeflated + 20, UInt32(compressedSize / 2), width: 4)
        expectECError("bad.npz", "entry 'a.npy'", "truncated compressed stream") {
            _ = try NPZFile(decoding: shortStream, path: "bad.npz")
        }

        var corruptStream = deflated
        for i in 40..<60 { corruptStream[i] = 0xff }
        expectECError("bad.npz", "entry 'a.npy'") { _ = try NPZFile(decoding: corruptStream, path: "bad.npz") }

        var smaller = deflated
        Self.patch(&smaller, at: centralDeflated + 24, 100, width: 4)
        expectECError("bad.npz", "more than its declared 100 bytes") { _ = try NPZFile(decoding: smaller, path: "bad.npz") }

        var impossible = deflated
        Self.patch(&impossible, at: centralDeflated + 24, 0xffff_fff0, width: 4)
        expectECError("bad.npz", "impossible") { _ = try NPZFile(decoding: impossible, path: "bad.npz") }

        var wrongOffset = stored
        Self.patch(&wrongOffset, at: central + 42, 5000, width: 4)
        expectECError("bad.npz", "no local header") { _ = try NPZFile(decoding: wrongOffset, path: "bad.npz") }

        var renamed = stored
        renamed.replaceSubrange((central + 46 + 2)..<(central + 46 + 5), with: "txt".utf8)
        expectECError("bad.npz", "entry 'a.txt'", "not a .npy") { _ = try NPZFile(decoding: renamed, path: "bad.npz") }
    }

    @Test func entryErrorsNameArchiveAndEntry() throws {
        // Turn the entry's descr '<f8' into '<c8' and fix both CRC fields, so that the zip layer
        // passes and the npy layer must report the dtype, naming archive and entry.
        var bytes = try Self.single.encoded()
        let central = Self.centralRecord(bytes)
        let npyStart = 30 + "a.npy".utf8.count
        let descr = npyStart + 10 + "{'descr': '<".utf8.count
        #expect(bytes[descr] == UInt8(ascii: "f"))
        bytes[descr] = UInt8(ascii: "c")
        let crc = crc32(Array(bytes[npyStart ..< central]))
        Self.patch(&bytes, at: 14, crc, width: 4)
        Self.patch(&bytes, at: central + 16, crc, width: 4)
        expectECError("bad.npz (entry a.npy): unsupported npy dtype '<c8'") { _ = try NPZFile(decoding: bytes, path: "bad.npz") }
    }

    @Test func missingFile() {
        expectECError("nothing.npz", "cannot open") { _ = try NPZFile.read(from: URL(fileURLWithPath: "/tmp/ec-none/nothing.npz")) }
    }
}
