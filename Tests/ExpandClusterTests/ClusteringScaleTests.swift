import ECCore
import ExpandCluster
import Foundation
import Testing

/// Full-size runs, for timing in release builds: `EC_SLOW_TESTS=1 swift test -c release
/// --filter ClusteringScaleTests`. Off by default because they take about a minute.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["EC_SLOW_TESTS"] != nil))
struct ClusteringScaleTests {
    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// The shape of a real layer: 20 students × 1024 neurons of a 785-dimensional layer [w; b],
    /// where each of 400 teacher neurons appears as a noisy unit vector in 16 students and the
    /// remaining neurons point anywhere.
    @Test func twentyStudentsOf1024NeuronsInDimension785() throws {
        let students = 20, width = 1024, dimension = 785, teacherWidth = 400
        var random = RandomSource(seed: 2024)
        let teacher = (0..<teacherWidth).map { _ in random.unitVector(dimension) }
        var scalars = [Double]()
        scalars.reserveCapacity(students * width * dimension)
        var groupOfPoint = [Int]()
        for student in 0..<students {
            for neuron in 0..<width {
                let copied = neuron < teacherWidth && (neuron + student) % 5 != 0
                let direction = copied ? teacher[neuron] : random.unitVector(dimension)
                let noisy = direction.map { $0 + 0.01 * random.normal() }
                let norm = noisy.reduce(0) { $0 + $1 * $1 }.squareRoot()
                scalars.append(contentsOf: noisy.map { $0 / norm })
                groupOfPoint.append(student)
            }
        }
        let vectors = Matrix(rows: students * width, columns: dimension, scalars: scalars)
        scalars = []

        var start = ContinuousClock.now
        let distances = try CondensedDistances(euclideanBetweenRowsOf: vectors)
        let distanceTime = seconds(since: start)
        start = ContinuousClock.now
        let dendrogram = Dendrogram(averageLinkageOf: consume distances)
        let linkageTime = seconds(since: start)
        start = ContinuousClock.now
        let profile = try dendrogram.clusterCountProfile(minimumGroups: students / 2, groupOfPoint: groupOfPoint)
        let profileTime = seconds(since: start)
        print("M = \(vectors.rows), D = \(dimension): distances \(distanceTime) s, linkage \(linkageTime) s, "
              + "profile \(profileTime) s")

        #expect(dendrogram.merges.count == vectors.rows - 1)
        // Teacher clusters form near height 0.4, unrelated vectors not before about √2.
        #expect(profile.count(cutAt: 1) == teacherWidth)
        #expect(distanceTime + linkageTime < 60)
    }

    @Test func assignmentOf1100Neurons() throws {
        var random = RandomSource(seed: 7)
        let costs = Matrix(rows: 1100, columns: 1100, scalars: (0..<1100 * 1100).map { _ in random.nextUnit() })
        let start = ContinuousClock.now
        let assignment = try OptimalAssignment(costs: costs)
        let time = seconds(since: start)
        print("assignment 1100 × 1100: \(time) s, total cost \(assignment.totalCost)")
        #expect(Set(assignment.columnOfRow.compactMap { $0 }).count == 1100)
        #expect(time < 5)
    }
}
