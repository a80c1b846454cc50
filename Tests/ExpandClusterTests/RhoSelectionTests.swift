import ECCore
import ECEngine
import ExpandCluster
import Foundation
import Testing

/// ρ chosen by pilot runs (no `rho` given): the first rung of the ladder at which the pilot
/// fraction reaches the floor is taken, and no rung after it is tried; when none does, the rung
/// where most pilots reached it, then the lowest median loss.
struct RhoSelectionTests {
    static let ladder: [Double] = [1, 2, 4]

    /// A short run whose pilots train briefly and unpolished, so that their losses fall with ρ
    /// without reaching any floor near rounding; the expansion trains long enough to cluster.
    static func options(floor: Double) -> IdentifyOptions {
        var options = IdentifyOptions(activation: .tanh, hiddenLayers: 1, referenceWidths: [4], students: 4,
                                      backend: BackendChoice(kind: .cpu), expansionEpochs: 2000, seed: 3)
        options.fineTuning.maximumEpochs = 20
        options.setPolishIterations(0)
        let pilot = TrainingSettings(learningRate: 1e-3, batchSize: options.expansion.batchSize, maximumEpochs: 300)
        options.pilot = PilotOptions(ladder: ladder, students: 4, training: pilot, floor: floor, fraction: 0.75)
        return options
    }

    static func run(floor: Double) throws -> IdentifyReport {
        let teacher = try Network.toyTeacher(inputs: 4, hiddenWidths: [4], activation: .tanh, seed: 2)
        let x = try ProbeInputs.gaussian(count: 1000, dimension: 4, seed: 3)
        return try Identification(options: options(floor: floor)).run(inputs: x, targets: teacher(x)).report
    }

    /// The loss that three of a rung's four pilots are below (the 0.75 fraction).
    static func thirdBest(_ pilot: PilotResult) -> Double { pilot.relativeLosses.sorted()[2] }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
    }

    @Test(.timeLimit(.minutes(2)))
    func firstRungThatReachesTheFloorIsChosen() throws {
        // No pilot reaches a floor of 1e-300: every rung is tried, and the lowest median wins.
        let unreached = try Self.run(floor: 1e-300)
        #expect(unreached.pilots.map(\.rho) == Self.ladder)
        #expect(unreached.pilots.allSatisfy { $0.reachedFloor == 0 })
        let lowestMedian = unreached.pilots.min { Self.median($0.relativeLosses) < Self.median($1.relativeLosses) }!
        #expect(unreached.rho == lowestMedian.rho)

        // A floor between the first rung that improves on all before it and those before makes
        // that rung the first to pass while a later, better one passes too: a rule that took the
        // best or the last rung passing, or went on climbing, fails here.
        let thirdBest = unreached.pilots.map(Self.thirdBest)
        let target = try #require(thirdBest.indices.dropFirst().first { thirdBest[$0] < thirdBest[..<$0].min()! },
                                  "no rung fits better than ρ = 1 (\(thirdBest)): the ladder tests nothing")
        let floor = (thirdBest[target] * thirdBest[..<target].min()!).squareRoot()
        try #require(thirdBest[(target + 1)...].contains { $0 < floor }, "no later rung passes too (\(thirdBest))")

        let chosen = try Self.run(floor: floor)
        #expect(chosen.rho == Self.ladder[target], "floor \(floor): pilots \(chosen.pilots)")
        #expect(chosen.pilots.map(\.rho) == Array(Self.ladder[...target]))
        for (pilot, first) in zip(chosen.pilots, unreached.pilots) {
            #expect(pilot.relativeLosses == first.relativeLosses, "pilot training at ρ = \(pilot.rho) is not reproducible")
            #expect(pilot.reachedFloor == pilot.relativeLosses.filter { $0 < floor }.count)
        }
    }
}
