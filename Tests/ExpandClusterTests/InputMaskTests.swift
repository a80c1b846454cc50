import ECCore
import ExpandCluster
import Testing
import TestSupport

/// The input-mask rule: constant and nearly constant coordinates out, informative ones in.
struct InputMaskTests {
    /// Columns 0, 2, 4 and 5 vary with standard deviations 1, 2, 0.5 and 0.2; column 1 is constant
    /// at 0.1 (whose mean is inexact in floating point), column 3 constant at −1 (a background
    /// pixel), column 6 varies at 1e-3 and column 7 at 0.02: 0.002 and 0.04 of the median spread 0.5.
    static let inputs: Matrix<Double> = {
        var random = RandomSource(seed: 5)
        let scales = [1, 0, 2, 0, 0.5, 0.2, 1e-3, 0.02]
        let offsets = [0, 0.1, 3, -1, 0, 0, -1, -1]
        let rows = (0..<500).map { _ in zip(scales, offsets).map { $1 + $0 * random.normal() } }
        return Matrix(rowArrays: rows)
    }()

    @Test func dropsConstantAndNearlyConstantColumns() throws {
        let mask = try InputMask.derive(from: Self.inputs)
        #expect(mask == [true, false, true, false, true, true, false, false])
        #expect(InputMask.keptCount(mask, of: 8) == 4)
        // A looser threshold keeps column 7, never the constant ones.
        #expect(try InputMask.derive(from: Self.inputs, relativeThreshold: 0.01)
                == [true, false, true, false, true, true, false, true])
    }

    @Test func gaussianInputsKeepEverything() throws {
        let gaussian = try ProbeInputs.gaussian(count: 2000, dimension: 20, seed: 3)
        #expect(try InputMask.derive(from: gaussian).allSatisfy { $0 })
        #expect(try InputMaskRule.auto.mask { gaussian } == nil)
        #expect(InputMask.keptCount(nil, of: 20) == 20)
    }

    @Test func rules() throws {
        #expect(try InputMaskRule.auto.mask { Self.inputs }?.filter { $0 }.count == 4)
        #expect(try InputMaskRule.none.mask { Issue.record("none must not read the inputs"); return Self.inputs } == nil)
    }

    @Test func allConstantInputsAreAnError() {
        let error = #expect(throws: ECError.self) { try InputMask.derive(from: Matrix(rows: 10, columns: 3, repeating: 0.5)) }
        #expect(error?.description.contains("every one of the 3 input coordinates is constant") == true)
    }
}
