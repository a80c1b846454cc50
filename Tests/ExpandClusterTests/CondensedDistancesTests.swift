import ECCore
import ExpandCluster
import Testing
import TestSupport

struct CondensedDistancesTests {
    /// ‖a − b‖ by the plain loop, in double.
    private func directDistance(_ points: Matrix<Double>, _ i: Int, _ j: Int) -> Double {
        (0..<points.columns).reduce(0.0) { sum, k in
            let difference = points[i, k] - points[j, k]
            return sum + difference * difference
        }.squareRoot()
    }

    @Test(arguments: [(0, 3), (1, 3), (2, 1), (4, 0), (5, 7), (150, 33), (300, 785)])
    func euclideanMatchesDirectDifferences(count: Int, dimension: Int) throws {
        // Offset far from the origin and with near-duplicates, where the Gram form cancels most.
        var points = randomPoints(count, dimension: dimension, seed: UInt64(count * 1000 + dimension),
                                  duplicates: count / 10)
        for k in points.scalars.indices { points.scalars[k] += 40 }
        if count > 4 {
            for k in 0..<dimension { points[1, k] = points[0, k] + (k == 0 ? 1e-7 : 0) }
        }
        let distances = try CondensedDistances(euclideanBetweenRowsOf: points)
        #expect(distances.count == count)
        #expect(distances.values.count == count * (count - 1) / 2)
        var expected = [Double]()
        for i in 0..<count { for j in (i + 1)..<count { expected.append(directDistance(points, i, j)) } }
        #expect(maxRelativeError(distances.values, expected, floor: 1e-300) < 1e-5)
        // Exact duplicates must come out exactly 0, not the square root of a rounding error.
        for i in 0..<count {
            for j in (i + 1)..<count where points.row(i) == points.row(j) {
                #expect(distances[i, j] == 0)
            }
        }
    }

    @Test func signInvariantDistanceTakesTheNearerOfEachVectorAndItsNegation() throws {
        var points = randomPoints(120, dimension: 9, seed: 4, duplicates: 0)
        // Negated near-duplicates must come out at (nearly) zero distance.
        for k in 0..<9 { points[1, k] = -points[0, k] * (1 + (k == 0 ? 1e-8 : 0)) }
        let distances = try CondensedDistances(euclideanBetweenRowsOf: points, signInvariant: true)
        var expected = [Double]()
        for i in 0..<120 {
            for j in (i + 1)..<120 {
                var negated = points
                for k in 0..<9 { negated[j, k] = -points[j, k] }
                expected.append(min(directDistance(points, i, j), directDistance(negated, i, j)))
            }
        }
        #expect(maxRelativeError(distances.values, expected, floor: 1e-300) < 1e-5)
        #expect(distances[0, 1] < 1e-7)
    }

    @Test func indexFollowsSciPyCondensedOrder() throws {
        let count = 6
        var expected = 0
        for i in 0..<count {
            for j in (i + 1)..<count {
                #expect(CondensedDistances.index(i, j, count: count) == expected)
                #expect(CondensedDistances.index(j, i, count: count) == expected)
                expected += 1
            }
        }
        let distances = try CondensedDistances(count: 3, values: [1, 2, 3])
        #expect(distances[0, 1] == 1 && distances[2, 0] == 2 && distances[1, 2] == 3 && distances[1, 1] == 0)
    }

    @Test func invalidInputIsRejected() {
        #expect(throws: ECError.self) { try CondensedDistances(count: 3, values: [1, 2]) }
        #expect(throws: ECError.self) { try CondensedDistances(count: 3, values: [1, -2, 3]) }
        #expect(throws: ECError.self) { try CondensedDistances(count: 2, values: [.nan]) }
        var points = randomPoints(4, dimension: 2, seed: 1)
        points[2, 1] = .infinity
        #expect(throws: ECError.self) { try CondensedDistances(euclideanBetweenRowsOf: points) }
    }
}
