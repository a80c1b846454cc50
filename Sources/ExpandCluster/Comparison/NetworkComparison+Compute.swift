import ECCore
import Foundation

extension NetworkComparison {
    /// Matches every hidden layer of `recovered` to `teacher` and measures the function on
    /// `freshInputs`. Layers are matched first to last: layer l's incoming vectors are expressed
    /// in the teacher's basis of layer l−1 (matched neurons permuted, flipped and rescaled as the
    /// symmetry class allows), so that the cosines compare like with like. `inputMask` (true =
    /// kept) leaves uninformative input coordinates out of the first layer's angles. `criteria`
    /// defaults to those of the teacher's scale (`RunScale(inputs:)`).
    public init(teacher: Network<Double>, recovered: Network<Double>, freshInputs: Matrix<Double>,
                inputMask: [Bool]? = nil, criteria: IdentificationCriteria? = nil) throws {
        guard teacher.inputCount == recovered.inputCount, teacher.outputCount == recovered.outputCount else {
            throw ECError.shapeMismatch("the teacher maps \(teacher.inputCount) → \(teacher.outputCount) but the recovered network \(recovered.inputCount) → \(recovered.outputCount)")
        }
        try Self.requireComparable(teacher: teacher.activation, recovered: recovered.activation)
        guard teacher.layers.count == recovered.layers.count else {
            throw ECError.shapeMismatch("the teacher has \(teacher.layers.count - 1) hidden layers but the recovered network \(recovered.layers.count - 1)")
        }
        guard freshInputs.columns == teacher.inputCount else {
            throw ECError.shapeMismatch("fresh inputs have \(freshInputs.columns) columns, the teacher takes \(teacher.inputCount)")
        }
        if let inputMask, inputMask.count != teacher.inputCount {
            throw ECError.shapeMismatch("the input mask has \(inputMask.count) entries for \(teacher.inputCount) inputs")
        }
        let symmetry = teacher.activation.symmetry
        let keptInputs = inputMask.map { mask in mask.indices.filter { mask[$0] } } ?? Array(0..<teacher.inputCount)

        // Pass 1: match each hidden layer, building the recovered incoming vectors in the
        // teacher's basis from the previous layer's matching.
        var alignments = [LayerAlignment]()
        for l in 0..<teacher.layers.count - 1 {
            let teacherRows = LayerAlignment.incomingRows(of: teacher.layers[l], columns: l == 0 ? keptInputs : nil)
            let recoveredRows = l == 0
                ? LayerAlignment.incomingRows(of: recovered.layers[0], columns: keptInputs)
                : alignments[l - 1].inTeacherBasis(recovered.layers[l], symmetry: symmetry)
            alignments.append(try LayerAlignment(teacherRows: teacherRows, recoveredRows: recoveredRows, symmetry: symmetry))
        }

        // Pass 2: outgoing weights, now that the next layer's matching is known too.
        var layers = [LayerComparison]()
        for (l, alignment) in alignments.enumerated() {
            let next = l + 1 < alignments.count ? alignments[l + 1] : nil
            let matches = alignment.matches(teacherNext: teacher.layers[l + 1], recoveredNext: recovered.layers[l + 1],
                                            nextAlignment: next, symmetry: symmetry)
            let found = matches.filter { $0.recovered != nil }
            let missing = matches.count - found.count
            // A missing neuron counts as 90° off, so the worst angle shows it.
            let incomingDegrees = found.map(\.incomingDegrees) + Array(repeating: 90, count: missing)
            let incomingDistances = found.map(\.incomingCosineDistance) + Array(repeating: 1, count: missing)
            let outgoingDegrees = found.map(\.outgoingDegrees) + Array(repeating: 90, count: missing)
            let outgoingDistances = found.map(\.outgoingCosineDistance) + Array(repeating: 1, count: missing)
            let matchedRecovered = Set(found.compactMap(\.recovered))
            layers.append(LayerComparison(
                layer: l, teacherWidth: teacher.layers[l].outputs, recoveredWidth: recovered.layers[l].outputs,
                matches: matches, excess: (0..<recovered.layers[l].outputs).filter { !matchedRecovered.contains($0) },
                incoming: AngleSummary(degrees: incomingDegrees, cosineDistances: incomingDistances),
                outgoing: AngleSummary(degrees: outgoingDegrees, cosineDistances: outgoingDistances)))
        }

        let expected = teacher(freshInputs), got = recovered(freshInputs)
        let mse = got.meanSquaredDifference(to: expected)
        let variance = expected.pooledVariance
        self.init(layers: layers, freshSamples: freshInputs.rows, rmse: mse.squareRoot(),
                  relativeMSE: variance > 0 ? mse / variance : mse,
                  maskedInputs: teacher.inputCount - keptInputs.count,
                  criteria: criteria ?? RunScale(inputs: teacher.inputCount).criteria)
    }

    /// Angles are measured up to the teacher's symmetries, which depend on its activation; with
    /// another activation they would be numbers without meaning.
    public static func requireComparable(teacher: Activation, recovered: Activation) throws {
        guard teacher == recovered else {
            throw ECError.invalidArgument("the teacher's activation is \(teacher.rawValue) but the recovered network's is "
                                          + "\(recovered.rawValue); a comparison needs the same activation")
        }
    }
}

/// The optimal matching of one hidden layer and the per-neuron factors it implies.
struct LayerAlignment {
    /// For each teacher neuron: its recovered neuron, or nil.
    let recoveredOfTeacher: [Int?]
    let angles: [VectorAngle?]
    /// Sign s_i of the match (−1 when the recovered neuron is the teacher's flipped).
    let signs: [Double]
    /// Norm ratio ‖θ_rec‖/‖θ_teacher‖ (used as a scale only for classes with positive scaling).
    let scales: [Double]

    init(teacherRows: [[Double]], recoveredRows: [[Double]], symmetry: SymmetryClass) throws {
        var costs = Matrix<Double>(rows: teacherRows.count, columns: recoveredRows.count)
        var angles = [[VectorAngle]]()
        for (i, t) in teacherRows.enumerated() {
            angles.append(recoveredRows.map { VectorAngle(t, $0) })
            for k in recoveredRows.indices {
                let angle = symmetry.allowsSignFlip ? angles[i][k].unsigned : angles[i][k]
                costs[i, k] = angle.cosineDistance
            }
        }
        let assignment = try OptimalAssignment(costs: costs)
        recoveredOfTeacher = assignment.columnOfRow
        self.angles = assignment.columnOfRow.enumerated().map { i, k in k.map { angles[i][$0] } }
        signs = self.angles.map { symmetry.allowsSignFlip && ($0?.isObtuse ?? false) ? -1 : 1 }
        scales = assignment.columnOfRow.enumerated().map { i, k in
            guard let k else { return 1 }
            let nt = teacherRows[i].euclideanNorm
            let nr = recoveredRows[k].euclideanNorm
            return nt > 0 ? nr / nt : 1
        }
    }

    /// [w; b] per output neuron, restricted to `columns` when given.
    static func incomingRows(of layer: DenseLayer<Double>, columns: [Int]?) -> [[Double]] {
        (0..<layer.outputs).map { o in
            (columns ?? Array(0..<layer.inputs)).map { layer.weight[o, $0] } + [layer.bias[o]]
        }
    }

    /// How a recovered neuron's output relates to its teacher's: a σ(z_rec) contributes
    /// factor·σ(z_teacher) (plus a constant for sigmoid flips, a linear term for even+linear flips).
    func outputFactor(_ i: Int, symmetry: SymmetryClass) -> Double {
        switch symmetry {
        case .odd, .oddConstant: signs[i]
        case .evenLinear, .none: 1
        case .evenLinearScaling: scales[i]
        }
    }

    /// How a recovered neuron's incoming vector relates to its teacher's: θ_rec ≈ factor·θ_teacher.
    func incomingFactor(_ i: Int, symmetry: SymmetryClass) -> Double {
        signs[i] * (symmetry.allowsPositiveScaling ? scales[i] : 1)
    }

    /// The next layer's recovered incoming vectors with their inputs permuted, flipped and scaled
    /// into the teacher's order of this layer; a teacher neuron without a match gives a zero input.
    func inTeacherBasis(_ next: DenseLayer<Double>, symmetry: SymmetryClass) -> [[Double]] {
        (0..<next.outputs).map { o in
            var bias = next.bias[o]
            var row = [Double]()
            for (i, k) in recoveredOfTeacher.enumerated() {
                guard let k else { row.append(0); continue }
                row.append(next.weight[o, k] * outputFactor(i, symmetry: symmetry))
                // σ(−z) = 1 − σ(z): a flipped sigmoid neuron moves its weight into the bias.
                if symmetry == .oddConstant, signs[i] < 0 { bias += next.weight[o, k] }
            }
            return row + [bias]
        }
    }

    /// Matches with outgoing angles: teacher column i of the next layer against the recovered
    /// column, its rows put in the teacher's order of the next layer (identity for the output).
    func matches(teacherNext: DenseLayer<Double>, recoveredNext: DenseLayer<Double>,
                 nextAlignment: LayerAlignment?, symmetry: SymmetryClass) -> [NeuronMatch] {
        recoveredOfTeacher.enumerated().map { i, k in
            guard let k, let angle = angles[i] else {
                return NeuronMatch(teacher: i, recovered: nil, flipped: false, incomingCosineDistance: 1,
                                   incomingDegrees: 90, outgoingCosineDistance: 1, outgoingDegrees: 90)
            }
            let teacherColumn = (0..<teacherNext.outputs).map { teacherNext.weight[$0, i] }
            let recoveredColumn = (0..<teacherNext.outputs).map { j -> Double in
                guard let next = nextAlignment else { return recoveredNext.weight[j, k] * outputFactor(i, symmetry: symmetry) }
                guard let row = next.recoveredOfTeacher[j] else { return 0 }
                return recoveredNext.weight[row, k] * outputFactor(i, symmetry: symmetry) / next.incomingFactor(j, symmetry: symmetry)
            }
            let incoming = symmetry.allowsSignFlip ? angle.unsigned : angle
            let outgoing = VectorAngle(teacherColumn, recoveredColumn)
            return NeuronMatch(teacher: i, recovered: k, flipped: signs[i] < 0,
                               incomingCosineDistance: incoming.cosineDistance, incomingDegrees: incoming.degrees,
                               outgoingCosineDistance: outgoing.cosineDistance, outgoingDegrees: outgoing.degrees)
        }
    }
}
