extension Dendrogram {
    /// Average-linkage (UPGMA) agglomerative clustering of the points whose distances are given.
    ///
    /// The nearest-neighbour-chain algorithm: follow nearest neighbours from any cluster until two
    /// clusters are each other's nearest, merge them, and continue from the rest of the chain.
    /// Average linkage is reducible (a merged cluster is never closer to a third one than the
    /// nearer of its parts), so merging reciprocal nearest neighbours in any order gives the exact
    /// UPGMA tree, in O(M²) time and with no O(M²) memory beyond `distances`, which holds the
    /// cluster-to-cluster distances as they evolve (Lance–Williams update, in double, stored
    /// back in Float32).
    ///
    /// The algorithm, tie-breaking included (the first nearest slot in index order, the previous
    /// chain link preferred), is that of SciPy's `linkage(y, 'average')`; heights differ from
    /// SciPy's by the Float32 rounding of the stored distances. Pass the distances with `consume`
    /// (or as a last use) to let the clustering overwrite them instead of copying 4·M(M−1)/2 bytes.
    public init(averageLinkageOf distances: consuming CondensedDistances) {
        let m = distances.count
        var slotMerges = [(slotA: Int, slotB: Int, height: Double)]()
        slotMerges.reserveCapacity(max(m - 1, 0))
        if m > 1 {
            distances.values.withUnsafeMutableBufferPointer { d in
                Self.nearestNeighbourChain(points: m, distances: d, merges: &slotMerges)
            }
        }
        self.init(leafCount: m, slotMerges: slotMerges)
    }

    /// Runs the chain to completion. A cluster lives in the slot of one of its points: merging
    /// slots x < y stores the union in y and retires x, as SciPy does.
    private static func nearestNeighbourChain(points m: Int, distances d: UnsafeMutableBufferPointer<Float>,
                                              merges: inout [(slotA: Int, slotB: Int, height: Double)]) {
        // d(i, j) for i < j is d[rowOffset[i] + j].
        let rowOffset = (0..<m).map { CondensedDistances.index($0, $0 + 1, count: m) - ($0 + 1) }
        var sizes = Array(repeating: 1, count: m)
        // The live slots in increasing order; scanning only these halves the work on average.
        var live = Array(0..<m)
        var chain = [Int]()
        chain.reserveCapacity(m)
        rowOffset.withUnsafeBufferPointer { rowOffset in
            for _ in 1..<m {
                if chain.isEmpty { chain.append(live[0]) }
                var x = 0, y = 0
                var height = Float.infinity
                while true {
                    x = chain[chain.count - 1]
                    // Prefer the previous link on ties, so the chain cannot cycle.
                    if chain.count > 1 {
                        y = chain[chain.count - 2]
                        height = d[rowOffset[min(x, y)] + max(x, y)]
                    } else {
                        height = .infinity
                    }
                    live.withUnsafeBufferPointer { live in
                        nearestLiveSlot(to: x, live: live, rowOffset: rowOffset, distances: d,
                                        nearest: &y, distance: &height)
                    }
                    if chain.count > 1 && y == chain[chain.count - 2] { break }
                    chain.append(y)
                }
                chain.removeLast(2)
                if x > y { swap(&x, &y) }
                merges.append((x, y, Double(height)))
                live.withUnsafeBufferPointer { live in
                    averageInto(y, from: x, sizeX: sizes[x], sizeY: sizes[y], live: live,
                                rowOffset: rowOffset, distances: d)
                }
                sizes[y] += sizes[x]
                sizes[x] = 0
                live.remove(at: position(of: x, in: live))
            }
        }
    }

    /// The first live slot strictly nearer to x than `distance`, in increasing slot order.
    @inline(__always)
    private static func nearestLiveSlot(to x: Int, live: UnsafeBufferPointer<Int>, rowOffset: UnsafeBufferPointer<Int>,
                                        distances d: UnsafeMutableBufferPointer<Float>,
                                        nearest: inout Int, distance: inout Float) {
        let split = position(of: x, in: live)
        var best = distance, bestSlot = nearest
        // Slots below x: column x of the upper triangle.
        for p in 0..<split {
            let i = live[p]
            let value = d[rowOffset[i] + x]
            if value < best { best = value; bestSlot = i }
        }
        // Slots above x: row x, contiguous.
        let row = rowOffset[x]
        for p in (split + 1)..<live.count {
            let i = live[p]
            let value = d[row + i]
            if value < best { best = value; bestSlot = i }
        }
        distance = best
        nearest = bestSlot
    }

    /// Lance–Williams for average linkage: d(i, x∪y) = (|x|·d(i, x) + |y|·d(i, y)) / (|x| + |y|)
    /// for every live i, stored in y's entries (x < y), computed in double.
    @inline(__always)
    private static func averageInto(_ y: Int, from x: Int, sizeX: Int, sizeY: Int, live: UnsafeBufferPointer<Int>,
                                    rowOffset: UnsafeBufferPointer<Int>, distances d: UnsafeMutableBufferPointer<Float>) {
        let total = Double(sizeX + sizeY)
        let weightX = Double(sizeX) / total, weightY = Double(sizeY) / total
        let rowX = rowOffset[x], rowY = rowOffset[y]
        for p in 0..<live.count {
            let i = live[p]
            if i == x || i == y { continue }
            let ix = i < x ? rowOffset[i] + x : rowX + i
            let iy = i < y ? rowOffset[i] + y : rowY + i
            d[iy] = Float(weightX * Double(d[ix]) + weightY * Double(d[iy]))
        }
    }

    /// The index of `slot` in the increasing array `live`, which contains it.
    @inline(__always)
    private static func position<Slots: RandomAccessCollection<Int>>(of slot: Int, in live: Slots) -> Int
    where Slots.Index == Int {
        var low = live.startIndex, high = live.endIndex
        while low < high {
            let middle = (low + high) / 2
            if live[middle] < slot { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
