import ECCore
import ECEngine
import Testing
import TestSupport

/// The batched products of gemm.cl against plain triple loops in double, on shapes that are not
/// multiples of the tiles, with padded rows, offsets, and operands shared across the batch.
struct GemmKernelTests {
    /// A batch of matrices in a host array laid out as a `DeviceMatrix` would see it.
    struct Layout {
        let rows: Int, columns: Int, batch: Int
        /// Whether every batch reads the same matrix (stride 0).
        var shared = false
        var offset: Int { 3 }
        var leadingDimension: Int { columns + 2 }
        var batchStride: Int { shared ? 0 : rows * leadingDimension + 1 }
        var count: Int { offset + (shared ? 0 : (batch - 1) * batchStride) + rows * leadingDimension }
        func index(_ b: Int, _ i: Int, _ j: Int) -> Int { offset + b * batchStride + i * leadingDimension + j }
        func matrix<T: Real>(_ buffer: OpenCLBuffer<T>) -> DeviceMatrix<T> {
            DeviceMatrix(buffer, offset: offset, leadingDimension: leadingDimension, batchStride: batchStride)
        }
    }

    /// Each size of 1, 7, 33, 65 and 129 in each role, tile multiples, and a cube larger than a tile.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 7, 33), (7, 33, 65), (33, 65, 129), (65, 129, 1), (129, 1, 7), (64, 64, 16), (129, 129, 129), (1, 1, 1),
    ]

    /// Both versions of the tiles (gemm_tiles.cl): 1, strided scalars; 2, blocks of 4 read as
    /// vectors from double-buffered tiles.
    @Test(arguments: Precision.allCases, GemmForm.allCases)
    func everyFormMatchesATripleLoop(precision: Precision, form: GemmForm) throws {
        var tuning = try DeviceTest.tuning
        for version in [1, 2] {
            tuning.gemmVersion = version
            for (m, n, k) in Self.shapes {
                try check(precision.scalarType, form: form, m: m, n: n, k: k, batch: 1, tuning: tuning)
            }
            try check(precision.scalarType, form: form, m: 33, n: 7, k: 65, batch: 3, sharedA: true, tuning: tuning)
            try check(precision.scalarType, form: form, m: 7, n: 65, k: 33, batch: 2, sharedB: true, tuning: tuning)
        }
    }

    /// The GPU default (128 × 128, 8 × 8 per work-item) and an uneven one (vectors along N only,
    /// in version 2), checked here too.
    @Test(arguments: [(128, 128, 16, 8, 8), (32, 16, 8, 2, 4)], [1, 2])
    func otherTileSizesGiveTheSameProducts(tiles: (Int, Int, Int, Int, Int), version: Int) throws {
        var tuning = try DeviceTest.tuning
        (tuning.tileM, tuning.tileN, tuning.tileK, tuning.workM, tuning.workN) = tiles
        tuning.gemmVersion = version
        for form in GemmForm.allCases {
            try check(Double.self, form: form, m: 129, n: 33, k: 17, batch: 2, sharedA: true, tuning: tuning)
            try check(Double.self, form: form, m: 7, n: 130, k: 40, batch: 1, tuning: tuning)
        }
    }

    /// The GPU's 128 × 128 tiles halved, with the results per work-item, for products whose grid
    /// leaves compute units idle (132 here, the H200's), and only for those.
    @Test func smallProductsTakeHalvedTiles() {
        var gpu = KernelTuning()
        (gpu.tileM, gpu.tileN, gpu.workM, gpu.workN, gpu.fillGroups) = (128, 128, 8, 8, 132)
        func tiles(_ t: KernelTuning) -> [Int] { [t.tileM, t.tileN, t.workM, t.workN] }
        // One 784-30 network's first layer on 128 samples: 1 group at 128, 16 at 16 × 16, which
        // cannot be halved further (one result per work-item).
        #expect(tiles(gpu.gemmTiles(m: 128, n: 30, batch: 1)) == [16, 16, 1, 1])
        // Ten 784-256 students' first layer: 20 groups at 128, 80 at 64, 320 at 32.
        #expect(tiles(gpu.gemmTiles(m: 128, n: 2560, batch: 1)) == [32, 32, 2, 2])
        // 50 students' 90-wide deeper layers on 512 samples: 4 × 1 × 50 = 200 groups already.
        #expect(tiles(gpu.gemmTiles(m: 512, n: 90, batch: 50)) == [128, 128, 8, 8])
        gpu.fillGroups = 0
        #expect(tiles(gpu.gemmTiles(m: 128, n: 30, batch: 1)) == [128, 128, 8, 8])
    }

    /// C = op(A)·op(B) for random operands; C starts random so that untouched elements show.
    private func check<T: Real>(_: T.Type, form: GemmForm, m: Int, n: Int, k: Int, batch: Int,
                                sharedA: Bool = false, sharedB: Bool = false, tuning: KernelTuning? = nil) throws {
        let context = try DeviceTest.context
        let tuning = try tuning ?? DeviceTest.tuning
        let gemm = try GemmKernel<T>(context: context, activation: .identity, tuning: tuning)
        let a = Layout(rows: form == .weightGradient ? k : m, columns: form == .weightGradient ? m : k, batch: batch, shared: sharedA)
        let b = Layout(rows: form == .forward ? n : k, columns: form == .forward ? k : n, batch: batch, shared: sharedB)
        let c = Layout(rows: m, columns: n, batch: batch)
        let (ha, hb, hc): ([T], [T], [T]) = (DeviceTest.random(a.count, seed: 1), DeviceTest.random(b.count, seed: 2),
                                             DeviceTest.random(c.count, seed: 3))
        let (da, db, dc) = (try context.makeBuffer(from: ha), try context.makeBuffer(from: hb), try context.makeBuffer(from: hc))
        try gemm.run(form, m: m, n: n, k: k, batch: batch, a: a.matrix(da), b: b.matrix(db), c: c.matrix(dc))
        let result = try dc.read()

        var expected = hc.map(Double.init), allowance = [Double](repeating: 0, count: hc.count)
        for s in 0..<batch {
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0, magnitude = 0.0
                    for p in 0..<k {
                        let x = Double(form == .weightGradient ? ha[a.index(s, p, i)] : ha[a.index(s, i, p)])
                        let y = Double(form == .forward ? hb[b.index(s, j, p)] : hb[b.index(s, p, j)])
                        sum += x * y
                        magnitude += abs(x * y)
                    }
                    expected[c.index(s, i, j)] = sum
                    allowance[c.index(s, i, j)] = DeviceTest.allowance(T.self, terms: k, magnitude: magnitude)
                }
            }
        }
        // Elements outside C's matrices have no allowance: they must be exactly as they were.
        let worst = zip(zip(result, expected), allowance).map { pair, allowed in
            let error = abs(Double(pair.0) - pair.1)
            return error == 0 ? 0 : error / allowed
        }.max() ?? 0
        #expect(worst <= 1, "\(T.self) \(form) version \(tuning.gemmVersion) m \(m) n \(n) k \(k) batch \(batch): error \(worst) × allowance")
    }
}
