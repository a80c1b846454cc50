import ECCore
import ECEngine

/// The teacher a run is compared with, when it is known, and the fresh inputs to compare on.
public struct ComparisonTarget: Sendable {
    public let teacher: Network<Double>
    public let freshInputs: Matrix<Double>

    public init(teacher: Network<Double>, freshInputs: Matrix<Double>) {
        self.teacher = teacher
        self.freshInputs = freshInputs
    }
}

/// Step 6: the recovered network against the teacher, up to the activation's symmetries:
/// widths, the angles of matched neurons, and the error on fresh inputs (`NetworkComparison`).
struct Compare<Scalar: Real>: Phase {
    let target: ComparisonTarget
    var id: PhaseID { .compare }

    func run(_ recovered: Network<Double>, in runner: PhaseRunner<Scalar>) throws -> NetworkComparison {
        try NetworkComparison(teacher: target.teacher, recovered: recovered, freshInputs: target.freshInputs,
                              inputMask: runner.options.inputMask)
    }
}
