import ECCore
import ECNumerics
import Foundation
import Testing
import TestSupport

/// The driver against scipy.optimize.least_squares(method='lm') on an exponential fit with noise
/// and on Rosenbrock's function as residuals.
struct LevenbergMarquardtDriverTests {
    static let driver = LevenbergMarquardtDriver(options: .init(maximumIterations: 500))

    @Test func exponentialFitMatchesSciPy() throws {
        var random = RandomSource(seed: 41)
        let t = (0..<30).map { 2 * Double($0) / 29 }
        let y = t.map { 2.5 * exp(-1.3 * $0) + 0.4 + 0.01 * random.normal() }
        let residuals = { (p: [Double]) in zip(t, y).map { p[0] * exp(p[1] * $0) + p[2] - $1 } }
        let result = Self.driver.minimize([1, -0.5, 0], residuals: residuals, jacobian: { p in
            Matrix(rows: t.count, columns: 3, scalars: t.flatMap { [exp(p[1] * $0), p[0] * $0 * exp(p[1] * $0), 1] })
        })
        let reference = try NumPy.evaluate("""
        t, y = data[0], data[1]
        fit = scipy.optimize.least_squares(lambda p: p[0] * np.exp(p[1] * t) + p[2] - y, [1, -0.5, 0], method='lm',
                                           xtol=1e-15, ftol=1e-15, gtol=1e-15)
        out = fit.x
        """, ["data": Matrix(rowArrays: [t, y])])
        #expect(maxRelativeError(result.parameters, reference, floor: 1e-3) < 1e-8)
        #expect(abs(result.cost - residuals(reference).reduce(0) { $0 + $1 * $1 }) < 1e-12 * result.cost)
    }

    @Test func rosenbrockReachesItsMinimumAsSciPyDoes() throws {
        let residuals = { (p: [Double]) in [10 * (p[1] - p[0] * p[0]), 1 - p[0]] }
        let result = Self.driver.minimize([-1.2, 1], residuals: residuals, jacobian: { p in
            Matrix(rows: 2, columns: 2, scalars: [-20 * p[0], 10, -1, 0])
        })
        let reference = try NumPy.evaluate("""
        out = scipy.optimize.least_squares(lambda p: [10 * (p[1] - p[0] ** 2), 1 - p[0]], [-1.2, 1], method='lm',
                                           xtol=1e-15, ftol=1e-15, gtol=1e-15).x
        """)
        #expect(maxRelativeError(result.parameters, reference, floor: 1) < 1e-10)
        #expect(maxRelativeError(result.parameters, [1, 1], floor: 1) < 1e-10)
    }

    @Test func pinnedParametersKeepTheirValues() {
        // Fit a·t + b with a pinned at 3: b becomes the mean of y − 3t.
        let t = (0..<10).map(Double.init), y = t.map { 2 * $0 + 1 }
        let driver = LevenbergMarquardtDriver(options: .init(maximumIterations: 50, pinned: 1))
        let result = driver.minimize([3, 0], residuals: { p in zip(t, y).map { p[0] * $0 + p[1] - $1 } },
                                     jacobian: { _ in Matrix(rows: 10, columns: 2, scalars: t.flatMap { [$0, 1] }) })
        #expect(result.parameters[0] == 3)
        #expect(abs(result.parameters[1] - (y.reduce(0, +) - 3 * t.reduce(0, +)) / 10) < 1e-12)
    }

    @Test func aNonFiniteJacobianEndsAtTheLastFinitePoint() {
        let result = Self.driver.minimize([1, 2], residuals: { p in [p[0] - 3, p[1]] },
                                          jacobian: { _ in Matrix(rows: 2, columns: 2, scalars: [1, 0, 0, .infinity]) })
        #expect(result.parameters == [1, 2] && result.iterations == 1 && result.cost == 8)
    }

    @Test func aNonFiniteStartComesBackUnchanged() {
        let result = Self.driver.minimize([1], residuals: { _ in [.nan] }, jacobian: { _ in Matrix(rows: 1, columns: 1) })
        #expect(result.parameters == [1] && result.iterations == 0 && result.cost.isNaN)
    }
}
