import ECCore
import ECDistributed
import ECEngine

/// A bank trained by the ranks of an MPI job together: each rank trains its contiguous share of
/// the students on its own device, and after every epoch the ranks exchange their students'
/// losses, so that every rank's `Trainer` sees the whole bank and takes the same decisions
/// (learning rates, stops, the epoch count) as one process training it alone. Students are
/// independent, so student i ends with the parameters it has in a one-process run whatever the
/// number of ranks.
final class RankSplitBackend<T: Real>: TrainingBackend {
    typealias Scalar = T

    private let local: any TrainingBackend<T>
    private let ranks: Ranks
    private let share: Range<Int>
    private let template: StudentBank<T>

    /// A backend for `bank` (from `optimizer`'s state, when resuming) that `make` builds on this
    /// process's device: split across `ranks` when every rank gets a student, else the whole bank
    /// here (a single network, or fewer students than ranks, is trained by every rank alike).
    static func make(bank: StudentBank<T>, optimizer: OptimizerState<T>?, ranks: Ranks,
                     _ make: (StudentBank<T>, OptimizerState<T>?) throws -> any TrainingBackend<T>) throws -> any TrainingBackend<T> {
        guard ranks.size > 1, bank.count >= ranks.size else { return try make(bank, optimizer) }
        return try RankSplitBackend(bank: bank, optimizer: optimizer, ranks: ranks, make)
    }

    private init(bank: StudentBank<T>, optimizer: OptimizerState<T>?, ranks: Ranks,
                 _ make: (StudentBank<T>, OptimizerState<T>?) throws -> any TrainingBackend<T>) throws {
        let share = ranks.share(of: bank.count)
        let moments = optimizer.map { state in
            OptimizerState(step: state.step,
                           firstMoments: StudentBank.students(share, of: state.firstMoments, layout: bank.layout),
                           secondMoments: StudentBank.students(share, of: state.secondMoments, layout: bank.layout))
        }
        local = try make(bank.students(share), moments)
        self.ranks = ranks
        self.share = share
        template = bank
    }

    var deviceDescription: String { local.deviceDescription }
    var studentCount: Int { template.count }
    var configuration: EngineConfiguration { local.configuration }
    var peakDeviceMemoryBytes: Int? { local.peakDeviceMemoryBytes }

    /// One loss per student from every rank: the counts are known, so one collective suffices.
    func trainEpoch(order: [Int32], learningRates: [Double]) throws -> [Double] {
        try ranks.allGather(try local.trainEpoch(order: order, learningRates: Array(learningRates[share])), counts: studentsPerRank)
    }

    func evaluateLosses() throws -> [Double] {
        try ranks.allGather(try local.evaluateLosses(), counts: studentsPerRank)
    }

    private var studentsPerRank: [Int] { (0..<ranks.size).map { ranks.share(of: template.count, rank: $0).count } }

    func currentBank() throws -> StudentBank<T> {
        try ranks.gatherBank(try local.currentBank(), like: template)
    }

    /// Every rank takes the same minibatches, so Adam's step count is the same on all.
    func currentOptimizerState() throws -> OptimizerState<T> {
        let state = try local.currentOptimizerState()
        return OptimizerState(step: state.step, firstMoments: try state.firstMoments.map { try ranks.allGather($0) },
                              secondMoments: try state.secondMoments.map { try ranks.allGather($0) })
    }
}

extension Ranks {
    /// Whether the ranks stop after this epoch (any rank was asked to) and whether they
    /// checkpoint now (rank 0's clock says one is due), agreed so that all take the same path.
    func agree(stop: Bool, checkpointDue: Bool) throws -> (stop: Bool, checkpoint: Bool) {
        let agreed = try maximum([stop ? 1 : 0, isRoot && checkpointDue ? 1 : 0])
        return (agreed[0] != 0, agreed[1] != 0)
    }

    /// `part`, this rank's share of a bank of `template`'s shape (`share(of:)`), and the other
    /// ranks' shares gathered into the whole bank, on every rank.
    func gatherBank<T: Real>(_ part: StudentBank<T>, like template: StudentBank<T>) throws -> StudentBank<T> {
        var bank = template
        bank.setTensors(try part.tensors.map { try allGather($0) })
        return bank
    }
}
