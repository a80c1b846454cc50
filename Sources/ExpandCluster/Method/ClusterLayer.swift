import ECCore
import ECEngine

/// The students as the clustering of one hidden layer finds them: their parameters (float64),
/// their losses on the probe set, and the layers already rebuilt below it.
struct StudentsAtLayer {
    let bank: StudentBank<Double>
    let losses: [Double]
    let rebuiltBelow: [DenseLayer<Double>]
}

/// One hidden layer's neurons, clustered across the students.
struct LayerClusters {
    let students: StudentsAtLayer
    /// Each student's view of the layer, by student index.
    let views: [Int: StudentLayerView]
    /// The layer's inputs on the probe sample: the rebuilt layers' outputs (the probe inputs for
    /// the first layer), which all students share.
    let layerInputs: Matrix<Double>
    /// The rule's cut with clusters of at least ⌊γN⌋ students, and the same cut with clusters of
    /// two students and more: spare neurons for the span growth and the exact-fit refinement.
    let kept: LayerClusteringResult
    let spare: LayerClusteringResult
}

/// Step 2a: the average-linkage tree of a hidden layer's neurons across students, cut where the
/// number of big clusters is stable (see `LayerTree` and `CutRule`).
struct ClusterLayer<Scalar: Real>: Phase {
    /// From 1.
    let layer: Int
    var id: PhaseID { .cluster(layer: layer) }

    func run(_ students: StudentsAtLayer, in runner: PhaseRunner<Scalar>) throws -> LayerClusters {
        let options = runner.options, l = layer - 1
        let layerInputs = l == 0 ? runner.sample
            : try Reconstruction.features(of: students.rebuiltBelow, activation: options.activation, on: runner.sample)
        let (tree, views) = try LayerTree.ofLayer(l, of: students.bank, losses: students.losses, sample: runner.sample,
                                                  layerInputs: layerInputs, symmetry: options.activation.symmetry,
                                                  inputMask: options.inputMask, options: options.clustering)
        let kept = tree.cut(at: tree.ruleCut), spare = tree.cut(at: tree.ruleCut, minimumStudents: 2)
        runner.progress(.note("layer \(layer): \(kept.recoveredWidth) neurons from \(kept.clusters.count) clusters (\(kept.negligibleNeurons) of \(kept.candidateNeurons) neurons negligible)"))
        guard kept.recoveredWidth > 0 else {
            throw ECError.invalidArgument("layer \(layer): no cluster holds neurons of ⌊γN⌋ = \(kept.minimumStudents) students; the students did not agree (train longer, raise ρ, or lower --gamma)")
        }
        return LayerClusters(students: students, views: Dictionary(uniqueKeysWithValues: views.map { ($0.student, $0) }),
                             layerInputs: layerInputs, kept: kept, spare: spare)
    }
}
