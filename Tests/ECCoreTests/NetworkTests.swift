import ECCore
import Foundation
import Testing
import TestSupport

struct NetworkTests {
    @Test func toyTeacherFollowsTheRecipe() throws {
        let teacher = try Network.toyTeacher(inputs: 5, hiddenWidths: [7, 3], outputs: 2, activation: .tanh, seed: 11)
        #expect(teacher.widths == [5, 7, 3, 2])
        for layer in [teacher.layers[0], teacher.layers[2]] {
            for o in 0..<layer.outputs {
                let norm = layer.weight.row(o).euclideanNorm
                #expect(norm >= 1.5 && norm <= 2.5)
                #expect(abs(layer.bias[o]) <= norm)
            }
        }
        #expect(try Network.toyTeacher(inputs: 5, hiddenWidths: [7, 3], outputs: 2, activation: .tanh, seed: 11) == teacher)
        #expect(try Network.toyTeacher(inputs: 5, hiddenWidths: [7, 3], outputs: 2, activation: .tanh, seed: 12) != teacher)
        #expect(throws: ECError.self) { try Network.toyTeacher(inputs: 4, hiddenWidths: [0], activation: .g, seed: 1) }
    }

    /// A later hidden layer's units see the earlier layers' activations; over fresh N(0, I)
    /// inputs each pre-activation must look like a first-layer unit's over N(0, I): standard
    /// deviation in [1.5, 2.5] and mean within one standard deviation of 0, for activations
    /// whose outputs are far from centred (g, ReLU) and for tanh.
    @Test(arguments: [Activation.g, .relu, .tanh])
    func deepTeacherLayersBendWithinTheirInputs(_ activation: Activation) throws {
        let teacher = try Network.toyTeacher(inputs: 4, hiddenWidths: [6, 5, 3], activation: activation, seed: 2)
        var random = RandomSource(seed: 99)
        let x = Matrix(rows: 20_000, columns: 4, scalars: (0..<80_000).map { _ in random.normal() })
        let hidden = teacher.hiddenActivations(x)
        for l in 1..<3 {
            let pre = teacher.layers[l].apply(hidden[l - 1])
            for (mean, variance) in zip(pre.columnMeans, pre.columnVariances) {
                let spread = variance.squareRoot()
                #expect(spread >= 1.5 * 0.97 && spread <= 2.5 * 1.03, "layer \(l + 1): std \(spread)")
                #expect(abs(mean) <= spread * 1.03, "layer \(l + 1): mean \(mean), std \(spread)")
            }
        }
        // The first layer is the recipe's draw whatever the depth.
        let shallow = try Network.toyTeacher(inputs: 4, hiddenWidths: [6], activation: activation, seed: 2)
        #expect(shallow.layers[0] == teacher.layers[0])
    }

    @Test func forwardMatchesPlainLoops() throws {
        let teacher = try Network.toyTeacher(inputs: 3, hiddenWidths: [4, 5], outputs: 2, activation: .g, seed: 3)
        let skip = DenseLayer(weight: randomMatrix(2, 3, seed: 9), bias: [0.5, -0.25])
        let net = try Network(activation: .g, layers: teacher.layers, skip: skip)
        let x: Matrix<Double> = randomMatrix(6, 3, seed: 4)
        let y = net(x)
        for n in 0..<x.rows {
            var h = Array(x.row(n))
            for (l, layer) in net.layers.enumerated() {
                h = (0..<layer.outputs).map { o in
                    let z = layer.bias[o] + (0..<layer.inputs).reduce(0.0) { $0 + layer.weight[o, $1] * h[$1] }
                    return l < net.layers.count - 1 ? 1 / (1 + exp(-4 * z)) + log(1 + exp(z)) : z
                }
            }
            for o in 0..<2 {
                let expected = h[o] + skip.bias[o] + (0..<3).reduce(0.0) { $0 + skip.weight[o, $1] * x[n, $1] }
                #expect(abs(y[n, o] - expected) <= 1e-13 * max(1, abs(expected)))
            }
        }
    }

    @Test func mismatchedLayersAreRejected() {
        let a = DenseLayer(weight: Matrix<Double>(rows: 4, columns: 3), bias: [0, 0, 0, 0])
        let b = DenseLayer(weight: Matrix<Double>(rows: 1, columns: 5), bias: [0])
        #expect(throws: ECError.self) { try Network(activation: .tanh, layers: [a, b]) }
    }

    @Test func randomSourceIsReproducibleAndSound() {
        var a = RandomSource(seed: 42), b = RandomSource(seed: 42), c = RandomSource(seed: 42, stream: 1)
        let drawsA = (0..<100).map { _ in a.next() }
        #expect(drawsA == (0..<100).map { _ in b.next() })
        #expect(drawsA != (0..<100).map { _ in c.next() })
        var r = RandomSource(seed: 7)
        let normals = (0..<200_000).map { _ in r.normal() }
        let mean = normals.reduce(0, +) / Double(normals.count)
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(normals.count)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.01)
        let permutation = r.permutation(1000)
        #expect(Set(permutation).count == 1000 && permutation.min() == 0 && permutation.max() == 999)
    }
}
