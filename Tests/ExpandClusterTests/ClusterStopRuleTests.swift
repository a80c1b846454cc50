import ECCore
import ECEngine
import ECFormats
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The cluster stop rule (issue 26): an expansion whose big clusters have stopped moving, with
/// its students fitting the data, ends before its cap; one whose clusters still move does not;
/// and a resumed expansion counts its checks on exactly as the uninterrupted one.
struct ClusterStopRuleTests {
    /// Unit rows at the given angles (degrees) in the plane of the first two coordinates.
    static func directions(_ degrees: [Double], dimension: Int = 3) -> Matrix<Double> {
        Matrix(rowArrays: degrees.map { a in [cos(a * .pi / 180), sin(a * .pi / 180)] + Array(repeating: 0, count: dimension - 2) })
    }

    static func check(_ degrees: [Double], dimension: Int = 3) -> ClusterCheck {
        ClusterCheck(epoch: 1, stableChecks: 0, directions: directions(degrees, dimension: dimension))
    }

    @Test func clustersAreTheSameWhenEachIsWithinTheAngleOfOneBefore() {
        let before = Self.check([0, 40, 90])
        #expect(Self.check([0.5, 40.9, 89.2]).sameClusters(as: before, angleDegrees: 1))
        #expect(Self.check([90, 0, 40]).sameClusters(as: before, angleDegrees: 1), "order does not matter")
        #expect(Self.check([180.3, 40, 270]).sameClusters(as: before, angleDegrees: 1), "nor sign")
        #expect(!Self.check([0, 41.5, 90]).sameClusters(as: before, angleDegrees: 1), "one moved by 1.5°")
        #expect(!Self.check([0, 40]).sameClusters(as: before, angleDegrees: 1), "one fewer")
        #expect(!Self.check([0, 40, 90, 130]).sameClusters(as: before, angleDegrees: 1), "one more")
        #expect(!Self.check([0, 0.5, 90]).sameClusters(as: before, angleDegrees: 1), "40° is not covered")
        #expect(!Self.check([0, 40, 90], dimension: 4).sameClusters(as: before, angleDegrees: 1))
        #expect(!Self.check([]).sameClusters(as: Self.check([]), angleDegrees: 1), "no clusters are no answer")
    }

    /// Students that hold the teacher's neurons: each student's hidden layer is the teacher's
    /// (4 neurons) plus a copy of its first neuron, `turn` degrees off in the first two inputs.
    static func bank(turn: Double = 0, students: Int = 6) throws -> StudentBank<Double> {
        let teacher = try Network.toyTeacher(inputs: 4, hiddenWidths: [4], activation: .tanh, seed: 1)
        let (w, b) = (teacher.layers[0].weight, teacher.layers[0].bias)
        let c = cos(turn * .pi / 180), s = sin(turn * .pi / 180)
        let studentsNetworks = try (0..<students).map { _ -> Network<Double> in
            var rows = (0..<4).map { Array(w.row($0)) }
            rows = rows.map { r in [c * r[0] - s * r[1], s * r[0] + c * r[1], r[2], r[3]] }
            rows.append(rows[0])
            let out = teacher.layers[1].weight.row(0)
            let hidden = DenseLayer(weight: Matrix(rowArrays: rows), bias: b + [b[0]])
            let readout = DenseLayer(weight: Matrix(rowArrays: [[out[out.startIndex] / 2] + out.dropFirst() + [out[out.startIndex] / 2]]),
                                     bias: teacher.layers[1].bias)
            return try Network(activation: .tanh, layers: [hidden, readout])
        }
        return try StudentBank(students: studentsNetworks)
    }

    static func watch(_ rule: ClusterStopRule = ClusterStopRule()) throws -> ClusterWatch {
        ClusterWatch(rule: rule, sample: try ProbeInputs.gaussian(count: 500, dimension: 4, seed: 3), symmetry: .odd,
                     inputMask: nil, clustering: ClusteringOptions(), variance: 1)
    }

    @Test func aCheckCountsOnOnlyWhenTheClustersStayAndTheStudentsFit() throws {
        let watch = try Self.watch()
        let fitting = Array(repeating: 1e-7, count: 6)
        let first = try watch.check(try Self.bank(), losses: fitting, epoch: 100, after: nil)
        #expect(first.directions.rows == 4 && first.stableChecks == 0)
        let second = try watch.check(try Self.bank(turn: 0.3), losses: fitting, epoch: 200, after: first)
        #expect(second.stableChecks == 1)
        #expect(try watch.check(try Self.bank(turn: 0.3), losses: fitting, epoch: 300, after: second).stableChecks == 2)
        #expect(try watch.check(try Self.bank(turn: 3), losses: fitting, epoch: 300, after: second).stableChecks == 0,
                "the clusters turned by 2.7°")
        let plateau = Array(repeating: 1e-3, count: 6)
        #expect(try watch.check(try Self.bank(turn: 0.3), losses: plateau, epoch: 300, after: second).stableChecks == 0,
                "students above the loss floor")
        let halfFit = [1e-7, 1e-7, 1e-3, 1e-3, 1e-3, 1e-3]
        #expect(try watch.check(try Self.bank(turn: 0.3), losses: halfFit, epoch: 300, after: second).stableChecks == 0,
                "fewer than ⌊γN⌋ = 3 students fit")
    }

    static func options(every: Int, checks: Int, angle: Double = 1, cap: Int) -> IdentifyOptions {
        var options = IdentificationTests.options(.tanh)
        options.expansion.maximumEpochs = cap
        options.expansion.clusterStop = ClusterStopRule(everyEpochs: every, checks: checks, angleDegrees: angle)
        options.students = 6
        options.fineTuning.maximumEpochs = 100
        return options
    }

    @Test(.timeLimit(.minutes(4)))
    func stableClustersEndTheExpansionAndAResumedRunEndsAtTheSameEpoch() throws {
        let (teacher, x, y) = try IdentificationTests.problem(.tanh, seed: 3)
        var options = Self.options(every: 50, checks: 3, cap: 4000)
        let reference = try Identification(options: options).run(inputs: x, targets: y)
        let ended = reference.report.expansionEpochs
        #expect(ended < 4000 && ended.isMultiple(of: 50) && ended >= 200, "ended at \(ended)")
        let comparison = try NetworkComparison(teacher: teacher, recovered: reference.recovered,
                                               freshInputs: try ProbeInputs.gaussian(count: 2000, dimension: 4, seed: 8))
        #expect(comparison.identified, "worst angle \(comparison.layers[0].incoming.worstDegrees)°, MSE/Var(y) \(comparison.relativeMSE)")

        // Killed between the last two checks, the resumed run has the checks before it from the
        // checkpoint and ends at the same epoch with the same students.
        options.checkpointSeconds = 0
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: IdentificationTests.FailingStore.Killed.self) {
            try Identification(options: options, store: IdentificationTests.FailingStore(try RunDirectory(url: directory),
                                                                                           failAfter: ended - 25))
                .run(inputs: x, targets: y)
        }
        let saved = try #require(try RunDirectory(url: directory).checkpoint(.expand, as: Double.self)).checkpoint
        #expect(saved.clusterCheck?.epoch == ended - 50 && saved.clusterCheck?.stableChecks == 2)
        let resumed = try Identification(options: options, store: try RunDirectory(url: directory)).run(inputs: x, targets: y)
        #expect(resumed.report.expansionEpochs == ended && resumed.students == reference.students)
    }

    @Test(.timeLimit(.minutes(2)))
    func clustersThatStillMoveDoNotEndIt() throws {
        let (_, x, y) = try IdentificationTests.problem(.tanh, seed: 3)
        // At 1e-9° every check sees the clusters move.
        let moving = try Identification(options: Self.options(every: 50, checks: 1, angle: 1e-9, cap: 600)).run(inputs: x, targets: y)
        #expect(moving.report.expansionEpochs == 600)
    }
}
