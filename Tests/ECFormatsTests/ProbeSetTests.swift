import ECCore
import ECFormats
import Foundation
import Testing
import TestSupport

@Suite struct ProbeSetTests {
    @Test(arguments: [false, true])
    func roundTrips(compressed: Bool) throws {
        let probe = try ProbeSet(inputs: randomMatrix(50, 4, seed: 1) as Matrix<Double>, targets: randomMatrix(50, 2, seed: 2))
        let single = try ProbeSet(inputs: randomMatrix(7, 3, seed: 3) as Matrix<Float>, targets: randomMatrix(7, 1, seed: 4))
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("probe.npz")
            try probe.save(to: url, compressed: compressed)
            #expect(try ProbeSet<Double>.load(from: url) == probe)
            #expect(try NPZFile.read(from: url).names == ["x", "y"])
            try single.save(to: url, compressed: compressed)
            #expect(try ProbeSet<Float>.load(from: url) == single)
            #expect(try ProbeSet<Double>.load(from: url) == ProbeSet(inputs: single.inputs.converted(), targets: single.targets.converted()))
        }
    }

    @Test func integerArraysConvert() throws {
        let file = NPZFile(arrays: [NamedTensor("x", Fixture.tensor(.uint8, [3, 2])), NamedTensor("y", Fixture.tensor(.int64, [3, 1]))])
        let probe = try ProbeSet<Double>(npz: file, path: "p.npz")
        #expect(probe.count == 3)
        #expect(probe.inputs.scalars == Fixture.tensor(.uint8, [3, 2]).scalars(as: Double.self))
    }

    @Test func mismatchedInitThrows() {
        expectECError("3 input rows", "2 target rows") {
            _ = try ProbeSet<Double>(inputs: Matrix(rows: 3, columns: 1), targets: Matrix(rows: 2, columns: 1))
        }
    }

    func expectLoadError(_ arrays: [NamedTensor], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ECError? {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("probe.npz")
            try NPZFile(arrays: arrays).write(to: url)
            return expectECError("probe.npz: " + message, sourceLocation: sourceLocation) { _ = try ProbeSet<Double>.load(from: url) }
        }
    }

    @Test func rejectsNonFiniteData() throws {
        var x = Fixture.tensor(.float64, [20, 5]).scalars(as: Double.self)
        x[12 * 5 + 3] = .nan
        let nan = try expectLoadError([NamedTensor("x", AnyTensor(shape: [20, 5], scalars: x)),
                                       NamedTensor("y", Fixture.tensor(.float64, [20, 1]))], "x contains NaN at row 12, column 3")
        #expect(nan?.description.hasSuffix("probe.npz: x contains NaN at row 12, column 3") == true)
        if let nan, case .nonFiniteData = nan {} else { Issue.record("expected nonFiniteData") }

        var y = Fixture.tensor(.float32, [20, 2]).scalars(as: Float.self)
        y[7] = -.infinity
        _ = try expectLoadError([NamedTensor("x", Fixture.tensor(.float32, [20, 5])), NamedTensor("y", AnyTensor(shape: [20, 2], scalars: y))],
                                "y contains -Inf at row 3, column 1")
    }

    @Test func rejectsBadShapes() throws {
        let x = NamedTensor("x", Fixture.tensor(.float64, [4, 2]))
        let y = NamedTensor("y", Fixture.tensor(.float64, [4, 1]))
        _ = try expectLoadError([x], "missing array 'y'")
        _ = try expectLoadError([y], "missing array 'x'")
        _ = try expectLoadError([x, NamedTensor("y", Fixture.tensor(.float64, [4]))], "y has shape [4]; expected rank 2")
        _ = try expectLoadError([NamedTensor("x", Fixture.tensor(.float64, [4, 2, 1])), y], "x has shape [4, 2, 1]")
        let rows = try expectLoadError([x, NamedTensor("y", Fixture.tensor(.float64, [3, 1]))], "x has 4 rows but y has 3")
        if let rows, case .shapeMismatch = rows {} else { Issue.record("expected shapeMismatch") }
        _ = try expectLoadError([NamedTensor("x", Fixture.tensor(.float64, [0, 2])), NamedTensor("y", Fixture.tensor(.float64, [0, 1]))],
                                "holds no probe points")
        _ = try expectLoadError([NamedTensor("x", Fixture.tensor(.float64, [4, 0])), y], "x has shape [4, 0]; it needs at least one column")
    }
}
