import ECCore
import ECEngine
import ExpandCluster
import Testing
import TestSupport

/// Polishing on a subsample must not cost a student its fit to the rest: a polished student
/// that is worse on all samples keeps its parameters as they were.
struct PolishBankTests {
    @Test func aStudentThatPolishingMakesWorseOnAllSamplesIsKept() throws {
        let inputs: Matrix<Double> = randomMatrix(1000, 3, seed: 41)
        let teacher = try Network<Double>.toyTeacher(inputs: 3, hiddenWidths: [3], activation: .tanh, seed: 42)
        // The teacher on the even rows (the 500 the polisher uses), the teacher + 10 on the odd rows.
        var targets = teacher(inputs)
        for row in stride(from: 1, to: targets.rows, by: 2) { targets[row, 0] += 10 }
        func shifted(_ offset: Double) -> Network<Double> {
            var network = teacher
            network.layers[1].bias[0] += offset
            return network
        }
        // Output bias +5: 25 on every row; polished onto the even rows it would be 0 there and 100
        // on the odd rows (50). Bias +15: 225 and 25 (125); polished, 50: better, so kept.
        let start = try StudentBank(students: [shifted(5), shifted(15)])
        let trained = TrainedBank(bank: start, losses: [], epochs: 0, log: [])
        let polished = try polishBank(trained, data: TrainingData(inputs: inputs, targets: targets),
                                      options: .init(maximumIterations: 50, minimumSamples: 500),
                                      device: .cpu, configuration: EngineConfiguration(batchSize: 512))

        #expect(abs(polished.losses[0] - 25) < 1e-9)
        #expect(polished.bank.student(0).layers[1].bias == shifted(5).layers[1].bias)
        #expect(abs(polished.losses[1] - 50) < 1e-6)
        #expect(abs(polished.bank.student(1).layers[1].bias[0] - teacher.layers[1].bias[0]) < 1e-6)
    }
}
