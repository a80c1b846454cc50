import ECCore

/// A minimum-cost matching of the rows of a cost matrix to its columns (each row to a distinct
/// column, as many pairs as the smaller side has), e.g. recovered neurons to teacher neurons.
public struct OptimalAssignment: Sendable, Equatable {
    /// The column of each row; nil for the rows left over when there are more rows than columns.
    public let columnOfRow: [Int?]
    /// The sum of the costs of the assigned pairs.
    public let totalCost: Double

    /// Solves the assignment problem for `costs` ([rows, columns], any shape) exactly.
    ///
    /// Shortest augmenting paths with dual potentials (the Hungarian method in the form of
    /// Jonker–Volgenant): each row in turn is matched by a Dijkstra search over reduced costs,
    /// O(n²·m) for n ≤ m, in double precision.
    /// - Throws: `ECError.nonFiniteData` when a cost is NaN or infinite.
    public init(costs: Matrix<Double>) throws {
        if let bad = costs.firstNonFiniteIndex {
            throw ECError.nonFiniteData("assignment: cost [\(bad / costs.columns), \(bad % costs.columns)] "
                                        + "is \(costs.scalars[bad])")
        }
        var columnOfRow = [Int?](repeating: nil, count: costs.rows)
        if costs.rows <= costs.columns {
            for (row, column) in Self.rowToColumn(costs).enumerated() { columnOfRow[row] = column }
        } else {
            // Match every column to a row instead; the rows no column chose stay unassigned.
            for (column, row) in Self.rowToColumn(costs.transposed).enumerated() { columnOfRow[row] = column }
        }
        self.columnOfRow = columnOfRow
        totalCost = columnOfRow.enumerated().reduce(0) { sum, pair in
            pair.element.map { sum + costs[pair.offset, $0] } ?? sum
        }
    }

    /// The optimal column of each row of a matrix with rows ≤ columns.
    ///
    /// Invariant: potentials u (rows) and v (columns) with cost[i][j] − u[i] − v[j] ≥ 0 for all
    /// pairs and = 0 on matched pairs. Adding row r grows a tree of tight edges from r by
    /// Dijkstra on those reduced costs until it reaches a free column, shifts the potentials by
    /// the distances found, and flips the path.
    private static func rowToColumn(_ costs: Matrix<Double>) -> [Int] {
        let n = costs.rows, m = costs.columns
        // Column index m is a virtual column holding the row being inserted.
        let u = scratch(n, 0.0), v = scratch(m + 1, 0.0), slack = scratch(m + 1, 0.0)
        let rowOf = scratch(m + 1, -1), previous = scratch(m + 1, m)
        // Columns not yet in the tree first, then those in it (the virtual column among them).
        let columns = scratch(m + 1, 0)
        defer {
            u.deallocate(); v.deallocate(); slack.deallocate()
            rowOf.deallocate(); previous.deallocate(); columns.deallocate()
        }
        costs.scalars.withUnsafeBufferPointer { cost in
            for row in 0..<n {
                for j in 0..<m { columns[j] = j; slack[j] = .infinity }
                columns[m] = m
                var outside = m   // columns[0..<outside] are outside the tree
                var column = m
                rowOf[m] = row
                while true {
                    // Relax the edges of the row last reached, and pick the nearest column outside.
                    let reached = rowOf[column]
                    let base = reached * m, potential = u[reached]
                    var delta = Double.infinity, nearestPosition = 0
                    for p in 0..<outside {
                        let j = columns[p]
                        let reduced = cost[base + j] - potential - v[j]
                        if reduced < slack[j] { slack[j] = reduced; previous[j] = column }
                        if slack[j] < delta { delta = slack[j]; nearestPosition = p }
                    }
                    // Shift potentials so that the nearest column's edge becomes tight.
                    for p in outside...m {
                        let j = columns[p]
                        u[rowOf[j]] += delta
                        v[j] -= delta
                    }
                    for p in 0..<outside { slack[columns[p]] -= delta }
                    column = columns[nearestPosition]
                    outside -= 1
                    columns.swapAt(nearestPosition, outside)
                    if rowOf[column] < 0 { break }
                }
                // Flip the alternating path back to the virtual column.
                while column != m {
                    let before = previous[column]
                    rowOf[column] = rowOf[before]
                    column = before
                }
            }
        }
        var columnOfRow = [Int](repeating: -1, count: n)
        for j in 0..<m where rowOf[j] >= 0 { columnOfRow[rowOf[j]] = j }
        return columnOfRow
    }

    /// A buffer of `count` copies of `value`, for the caller to deallocate.
    private static func scratch<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
        buffer.initialize(repeating: value)
        return buffer
    }
}
