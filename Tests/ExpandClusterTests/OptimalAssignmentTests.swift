import ECCore
import ExpandCluster
import Testing

struct OptimalAssignmentTests {
    /// The least total cost over every way to pair each index of the smaller side with a
    /// distinct index of the larger side.
    private func bruteForceMinimum(_ costs: Matrix<Double>) -> Double {
        let transposed = costs.rows > costs.columns
        let small = min(costs.rows, costs.columns), large = max(costs.rows, costs.columns)
        func cost(_ s: Int, _ l: Int) -> Double { transposed ? costs[l, s] : costs[s, l] }
        var best = Double.infinity
        var taken = Array(repeating: false, count: large)
        func extend(_ s: Int, _ sum: Double) {
            guard s < small else { best = min(best, sum); return }
            for l in 0..<large where !taken[l] {
                taken[l] = true
                extend(s + 1, sum + cost(s, l))
                taken[l] = false
            }
        }
        extend(0, 0)
        return best
    }

    /// Expects a valid matching of min(rows, columns) pairs whose reported cost is its cost.
    private func expectValidMatching(_ assignment: OptimalAssignment, _ costs: Matrix<Double>) {
        let columns = assignment.columnOfRow.compactMap { $0 }
        #expect(assignment.columnOfRow.count == costs.rows)
        #expect(columns.count == min(costs.rows, costs.columns))
        #expect(Set(columns).count == columns.count && columns.allSatisfy { $0 >= 0 && $0 < costs.columns })
        var sum = 0.0
        for (row, column) in assignment.columnOfRow.enumerated() { if let column { sum += costs[row, column] } }
        #expect(abs(sum - assignment.totalCost) <= 1e-12 * max(1, abs(sum)))
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 5), (5, 3), (6, 6), (7, 7), (4, 7), (7, 4), (7, 1), (0, 3), (3, 0)])
    func matchesBruteForce(rows: Int, columns: Int) throws {
        for seed in UInt64(0)..<6 {
            var random = RandomSource(seed: seed, stream: UInt64(rows * 10 + columns))
            // Continuous costs of both signs, and small integers with many tied optima.
            let continuous = Matrix(rows: rows, columns: columns,
                                    scalars: (0..<rows * columns).map { _ in random.uniform(-5, 5) })
            let integers = Matrix(rows: rows, columns: columns,
                                  scalars: (0..<rows * columns).map { _ in Double(random.next() % 3) })
            for costs in [continuous, integers] {
                let assignment = try OptimalAssignment(costs: costs)
                expectValidMatching(assignment, costs)
                #expect(abs(assignment.totalCost - bruteForceMinimum(costs)) <= 1e-9)
            }
        }
    }

    @Test(arguments: [(500, 500), (500, 520), (520, 500)])
    func findsAHiddenPermutation(rows: Int, columns: Int) throws {
        // Zero on a permuted diagonal, at least 1 everywhere else: that permutation is the only optimum.
        var random = RandomSource(seed: 5)
        let size = min(rows, columns)
        let permutation = random.permutation(max(rows, columns)).map(Int.init)
        var costs = Matrix(rows: rows, columns: columns,
                           scalars: (0..<rows * columns).map { _ in random.uniform(1, 2) })
        for k in 0..<size {
            if rows <= columns { costs[k, permutation[k]] = 0 } else { costs[permutation[k], k] = 0 }
        }
        let assignment = try OptimalAssignment(costs: costs)
        expectValidMatching(assignment, costs)
        #expect(assignment.totalCost == 0)
        for k in 0..<size {
            if rows <= columns {
                #expect(assignment.columnOfRow[k] == permutation[k])
            } else {
                #expect(assignment.columnOfRow[permutation[k]] == k)
            }
        }
    }

    @Test func nonFiniteCostsAreRejected() {
        #expect(throws: ECError.self) { try OptimalAssignment(costs: Matrix(rowArrays: [[1, .nan], [0, 1]])) }
        #expect(throws: ECError.self) { try OptimalAssignment(costs: Matrix(rowArrays: [[1, .infinity]])) }
    }
}
