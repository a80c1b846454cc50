import ECCore
import ECEngine
import Foundation
import Testing
import TestSupport

/// The polisher converges quadratically only if its Jacobian is right: a slightly perturbed
/// teacher (deep, with a skip term) must come back to machine precision within a few dozen steps.
struct LevenbergMarquardtTests {
    static func perturbed(_ network: Network<Double>, by amount: Double, seed: UInt64) -> Network<Double> {
        var random = RandomSource(seed: seed)
        var copy = network
        for l in copy.layers.indices {
            for i in copy.layers[l].weight.scalars.indices { copy.layers[l].weight.scalars[i] += amount * random.normal() }
            for i in copy.layers[l].bias.indices { copy.layers[l].bias[i] += amount * random.normal() }
        }
        return copy
    }

    @Test(arguments: [Activation.g, .tanh, .softplus])
    func perturbedTeacherIsPolishedBackToZeroLoss(_ activation: Activation) throws {
        var teacher = try Network.toyTeacher(inputs: 3, hiddenWidths: [5, 4], outputs: 2, activation: activation, seed: 4)
        teacher.skip = DenseLayer(weight: randomMatrix(2, 3, seed: 5, scale: 0.3), bias: [0, 0])
        let x: Matrix<Double> = randomMatrix(600, 3, seed: 6)
        let y = teacher(x)
        let bank = try StudentBank(students: [Self.perturbed(teacher, by: 0.02, seed: 7), Self.perturbed(teacher, by: 0.01, seed: 8)])
        let polisher = LevenbergMarquardt(options: .init(maximumIterations: 60, minimumSamples: 600))
        let (polished, losses) = try polisher.polish(bank, inputs: x, targets: y)
        let variance = y.pooledVariance
        for (n, loss) in losses.enumerated() {
            #expect(loss / variance < 1e-20, "student \(n): \(loss / variance)")
        }
        // Exactly fitted, each student is the teacher (its skip bias folded into the output bias).
        let fresh: Matrix<Double> = randomMatrix(200, 3, seed: 9)
        #expect(maxRelativeError(polished.student(0)(fresh).scalars, teacher(fresh).scalars, floor: 1) < 1e-8)
    }

    @Test func frozenLayersKeepTheirValues() throws {
        let teacher = try Network.toyTeacher(inputs: 3, hiddenWidths: [4, 3], activation: .tanh, seed: 2)
        let x: Matrix<Double> = randomMatrix(400, 3, seed: 3)
        let start = Self.perturbed(teacher, by: 0.01, seed: 4)
        var pinned = start
        pinned.layers[0] = teacher.layers[0]
        let bank = try StudentBank(students: [pinned])
        let (polished, losses) = try LevenbergMarquardt(options: .init(maximumIterations: 60, minimumSamples: 400))
            .polish(bank, inputs: x, targets: teacher(x), frozenLayers: 1)
        #expect(polished.student(0).layers[0] == teacher.layers[0])
        #expect(polished.student(0).layers[1] != pinned.layers[1])
        #expect(losses[0] / teacher(x).pooledVariance < 1e-20)
    }
}
