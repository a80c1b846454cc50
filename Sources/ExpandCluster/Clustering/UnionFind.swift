/// Disjoint sets over 0..<count with union by size and path halving: near-constant time per
/// operation, which keeps every pass over a dendrogram O(M α(M)).
struct UnionFind {
    private var parent: [Int]
    private var size: [Int]

    init(count: Int) {
        parent = Array(0..<count)
        size = Array(repeating: 1, count: count)
    }

    /// The representative of the set containing `element`.
    mutating func find(_ element: Int) -> Int {
        var x = element
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    /// Joins the sets of `a` and `b`; returns the representative of the union.
    @discardableResult
    mutating func union(_ a: Int, _ b: Int) -> Int {
        var rootA = find(a), rootB = find(b)
        guard rootA != rootB else { return rootA }
        if size[rootA] < size[rootB] { swap(&rootA, &rootB) }
        parent[rootB] = rootA
        size[rootA] += size[rootB]
        return rootA
    }
}
