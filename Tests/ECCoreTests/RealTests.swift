import ECCore
import Foundation
import Testing

/// The vectorisable elementary functions against libm, over grids that cover the whole range.
struct RealTests {
    static let doubleGrid: [Double] = stride(from: -745.0, through: 709.7, by: 0.0137).map { $0 }
        + stride(from: -2.0, through: 2.0, by: 1.0 / 16384).map { $0 }
        + [1e-300, -1e-300, 1e-17, -1e-17, 0]
    static let floatGrid: [Float] = stride(from: Float(-103), through: 88.7, by: 0.0031).map { $0 }
        + stride(from: Float(-1), through: 1, by: 1.0 / 4096).map { $0 } + [1e-30, -1e-30, 0]

    /// Largest error in units of the result's ulp.
    func ulps<T: Real>(_ f: (T) -> T, _ reference: (Double) -> Double, over grid: [T],
                       where keep: (T) -> Bool = { _ in true }) -> Double {
        var worst = 0.0
        for x in grid where keep(x) {
            let exact = reference(Double(x))
            let got = f(x)
            if exact.isInfinite || T(exact).isInfinite { #expect(got == T(exact), "at \(x)"); continue }
            let ulp = Double(T(exact).ulp == 0 ? T.leastNonzeroMagnitude : T(exact).ulp)
            worst = max(worst, abs(Double(got) - exact) / ulp)
        }
        return worst
    }

    @Test func expMatchesLibm() {
        #expect(ulps(Double.exp, Foundation.exp, over: Self.doubleGrid, where: { $0 > -708 }) <= 2)
        #expect(ulps(Float.exp, Foundation.exp, over: Self.floatGrid, where: { $0 > -87 }) <= 2)
        #expect(Double.exp(-800) == 0 && Double.exp(800) == .infinity)
        #expect(Float.exp(-100) == 0 && Float.exp(100) == .infinity)
    }

    @Test func expm1MatchesLibm() {
        #expect(ulps(Double.expm1, Foundation.expm1, over: Self.doubleGrid, where: { abs($0) < 700 }) <= 3)
        #expect(ulps(Float.expm1, Foundation.expm1, over: Self.floatGrid, where: { abs($0) < 80 }) <= 3)
    }

    @Test func logAndLog1pOfUnitMatchLibm() {
        let positive = Self.doubleGrid.map { Foundation.exp($0 / 2) } + [Double.leastNonzeroMagnitude, Double.leastNormalMagnitude / 16]
        #expect(ulps(Double.log, Foundation.log, over: positive) <= 2)
        let positiveF = Self.floatGrid.map { Foundation.exp($0) } + [Float.leastNonzeroMagnitude, Float.leastNormalMagnitude / 8]
        #expect(ulps(Float.log, { Foundation.log($0) }, over: positiveF, where: { $0 > 0 && $0.isFinite }) <= 2)
        let unit = stride(from: 0.0, through: 1.0, by: 1.0 / 8192).map { $0 } + [1e-20, 1e-300]
        #expect(ulps(Double.log1pOfUnit, Foundation.log1p, over: unit) <= 2)
        #expect(ulps(Float.log1pOfUnit, Foundation.log1p, over: unit.map { Float($0) }) <= 2)
        #expect(Double.log(0) == -.infinity && Double.log(-1).isNaN)
    }

    @Test func tanhAndSigmoidMatchLibm() {
        #expect(ulps(Double.tanh, Foundation.tanh, over: Self.doubleGrid) <= 3)
        #expect(ulps(Float.tanh, Foundation.tanh, over: Self.floatGrid) <= 3)
        let sigmoid = { (x: Double) in x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }
        #expect(ulps(Double.sigmoid, sigmoid, over: Self.doubleGrid, where: { $0 > -700 }) <= 3)
    }
}
