import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// Planted clusters: every student holds noisy copies of the same few directions, plus junk and
/// dead neurons; the cut must find exactly the planted directions, and the filters must drop what
/// they are meant to.
struct LayerTreeTests {
    /// Student views with `planted` directions (each copied into `share` of the students, with a
    /// small angular jitter), `junk` random neurons, and `dead` neurons with zero outgoing weight.
    static func views(students: Int, planted: [[Double]], share: [Int], jitter: Double, junk: Int, dead: Int,
                      seed: UInt64, flipSigns: Bool = false) -> [StudentLayerView] {
        var random = RandomSource(seed: seed)
        let d = planted[0].count
        return (0..<students).map { s in
            var rows = [[Double]](), contributions = [Double]()
            for (k, direction) in planted.enumerated() where s < share[k] {
                let sign: Double = flipSigns && random.nextUnit() < 0.5 ? -1 : 1
                let scale = random.uniform(0.5, 2)
                rows.append(direction.map { sign * scale * ($0 + jitter * random.normal()) })
                contributions.append(1)
            }
            for _ in 0..<junk { rows.append(random.unitVector(d)); contributions.append(random.uniform(0.1, 1)) }
            for _ in 0..<dead { rows.append(random.unitVector(d)); contributions.append(0) }
            let order = random.permutation(rows.count).map(Int.init)
            return StudentLayerView(student: s, incoming: Matrix(rowArrays: order.map { rows[$0] }),
                                    bias: order.map { _ in random.uniform(-1, 1) },
                                    outgoing: Matrix(rows: 1, columns: rows.count, scalars: order.map { contributions[$0] }),
                                    contributions: order.map { contributions[$0] })
        }
    }

    static let directions: [[Double]] = {
        var random = RandomSource(seed: 99)
        return (0..<5).map { _ in random.unitVector(12) }
    }()

    @Test(arguments: [CutRule.stablePlateau, .largestCount])
    func plantedClustersAreFound(_ rule: CutRule) throws {
        let views = Self.views(students: 20, planted: Self.directions, share: [20, 20, 19, 20, 18], jitter: 1e-4,
                               junk: 6, dead: 4, seed: 1)
        let tree = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 20),
                                 symmetry: .none, inputMask: nil, options: ClusteringOptions(cutRule: rule))
        let result = tree.cut(at: tree.ruleCut)
        #expect(result.recoveredWidth == 5)
        #expect(result.negligibleNeurons == 20 * 4, "dead neurons are left out before clustering")
        #expect(result.minimumStudents == 10)
        // Each planted direction becomes one neuron whose members are exactly its copies.
        for (k, representative) in result.representatives.enumerated() {
            let members = result.assignment.filter { $0.value.neuron == k }.map(\.key)
            #expect(Set(members.map(\.student)).count >= 18)
            let view = views[representative.student]
            let row = Array(view.incoming.row(representative.neuron))
            let best = Self.directions.map { VectorAngle(row, $0).degrees }.min()!
            #expect(best < 0.1)
        }
    }

    /// Clusters alike in size and spread come in the order of their first member (student 0's
    /// rows), not in a dictionary's order, which changes from process to process.
    @Test func tiedClustersComeInTheOrderOfTheirFirstMember() throws {
        let axes = (0..<4).map { k in (0..<6).map { $0 == k ? 1.0 : 0 } }
        let orders = [[2, 0, 3, 1], [0, 1, 2, 3], [3, 2, 1, 0]]
        let views = orders.enumerated().map { s, order in
            StudentLayerView(student: s, incoming: Matrix(rowArrays: order.map { axes[$0].map { 2 * $0 } }), bias: [0, 0, 0, 0],
                             outgoing: Matrix(rows: 1, columns: 4, scalars: [1, 1, 1, 1]), contributions: [1, 1, 1, 1])
        }
        let tree = try LayerTree(layer: 0, students: views, losses: [1e-12, 1e-9, 1e-9], symmetry: .none, inputMask: nil,
                                 options: ClusteringOptions())
        let result = tree.cut(at: tree.ruleCut)
        #expect(result.clusters.map(\.members) == [3, 3, 3, 3] && result.clusters.allSatisfy { $0.medianCosineDistance == 0 })
        #expect(result.representatives.map(\.student) == [0, 0, 0, 0])
        #expect(result.representatives.map(\.neuron) == [0, 1, 2, 3], "\(result.representatives)")
    }

    @Test func clustersOfTooFewStudentsAreDropped() throws {
        // Direction 4 lives in 6 of 20 students only: below ⌊γN⌋ = 10.
        let views = Self.views(students: 20, planted: Self.directions, share: [20, 20, 20, 20, 6], jitter: 1e-4,
                               junk: 0, dead: 0, seed: 2)
        let tree = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 20),
                                 symmetry: .none, inputMask: nil, options: ClusteringOptions())
        let result = tree.cut(at: tree.ruleCut)
        #expect(result.recoveredWidth == 4)
        let dropped = result.clusters.filter { !$0.kept }
        #expect(dropped.contains { $0.students == 6 && $0.dropReason?.hasPrefix("too few students") == true })
    }

    @Test func looseClustersAreDropped() throws {
        // Members spread by ~10° (jitter 0.05 per coordinate in 12 dimensions): with β = 1° the
        // clusters fail the looseness filter, with β = 60° they pass.
        let views = Self.views(students: 20, planted: Self.directions, share: [20, 20, 20, 20, 20], jitter: 0.05,
                               junk: 0, dead: 0, seed: 3)
        var options = ClusteringOptions(betaDegrees: 1)
        let tight = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 20),
                                  symmetry: .none, inputMask: nil, options: options)
        let result = tight.cut(at: 0.8)   // joins each planted cluster, not two of them (~90° apart)
        #expect(result.recoveredWidth == 0)
        #expect(result.clusters.filter { $0.students == 20 }.allSatisfy { $0.dropReason?.hasPrefix("too loose") == true })
        options.betaDegrees = 60
        let loose = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 20),
                                  symmetry: .none, inputMask: nil, options: options)
        #expect(loose.cut(at: 0.8).recoveredWidth == 5)
    }

    @Test func signFlippedDuplicatesMergeWhenTheClassAllowsIt() throws {
        let views = Self.views(students: 20, planted: Self.directions, share: [20, 20, 20, 20, 20], jitter: 1e-5,
                               junk: 0, dead: 0, seed: 4, flipSigns: true)
        let odd = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 20),
                                symmetry: .odd, inputMask: nil, options: ClusteringOptions())
        let merged = odd.cut(at: odd.ruleCut)
        #expect(merged.recoveredWidth == 5)
        // Members flipped against their representative carry sign −1.
        #expect(merged.assignment.values.contains { $0.sign < 0 })
        let none = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 20),
                                 symmetry: .none, inputMask: nil, options: ClusteringOptions())
        // Without the symmetry, a direction and its negation are different neurons: each half
        // holds about 10 students, so some fall below ⌊γN⌋ and none is a merged cluster of 20.
        #expect(none.cut(at: none.ruleCut).clusters.allSatisfy { $0.students < 20 })
    }

    @Test func inputMaskLeavesCoordinatesOutOfTheDistances() throws {
        // Two directions that differ only in masked coordinates are the same neuron.
        var a = Self.directions[0], b = Self.directions[0]
        a[11] = 5; b[11] = -5
        let views = Self.views(students: 12, planted: [a, b], share: [12, 12], jitter: 1e-5, junk: 0, dead: 0, seed: 5)
        var mask = [Bool](repeating: true, count: 12)
        mask[11] = false
        let masked = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 12),
                                   symmetry: .none, inputMask: mask, options: ClusteringOptions())
        #expect(masked.cut(at: masked.ruleCut).recoveredWidth == 1)
        let unmasked = try LayerTree(layer: 0, students: views, losses: Array(repeating: 1e-9, count: 12),
                                     symmetry: .none, inputMask: nil, options: ClusteringOptions())
        #expect(unmasked.cut(at: unmasked.ruleCut).recoveredWidth == 2)
    }
}
