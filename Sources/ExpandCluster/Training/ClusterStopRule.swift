import ECCore

/// Ends an expansion once more epochs would not change what the clustering takes from it: every
/// `everyEpochs` epochs the students' hidden layer is clustered as step 2 clusters it, and after
/// `checks` checks in a row that found the big clusters of the check before (as many, each
/// cluster's mean direction within `angleDegrees` of one of them), with ⌊γN⌋ students below `lossFloor`
/// (MSE / Var(y)), the students stop. The epoch cap stays as the safety limit.
public struct ClusterStopRule: Sendable, Codable, Equatable {
    public var everyEpochs: Int
    public var checks: Int
    public var angleDegrees: Double
    /// Students on a plateau can hold stable clusters of fewer neurons than the teacher's; they
    /// are still far from fitting the data.
    public var lossFloor: Double

    public init(everyEpochs: Int = 100, checks: Int = 3, angleDegrees: Double = 1, lossFloor: Double = 1e-5) {
        self.everyEpochs = everyEpochs
        self.checks = checks
        self.angleDegrees = angleDegrees
        self.lossFloor = lossFloor
    }

    func validate(_ name: String) throws {
        try Field.require(everyEpochs >= 1, name + ".everyEpochs", "at least 1", everyEpochs)
        try Field.require(checks >= 1, name + ".checks", "at least 1", checks)
        try Field.require(angleDegrees > 0 && angleDegrees <= 90, name + ".angleDegrees", "in (0, 90]", angleDegrees)
        try Field.require(lossFloor > 0 && lossFloor.isFinite, name + ".lossFloor", "positive", lossFloor)
    }
}

/// What one check of the rule saw. Checkpoints keep the last one, so that a resumed expansion
/// counts on exactly as the uninterrupted one would have.
public struct ClusterCheck: Sendable, Equatable {
    public let epoch: Int
    /// Checks in a row, up to this one, that found the clusters of the check before with the
    /// students below the loss floor.
    public let stableChecks: Int
    /// Per big cluster, the mean of its members' sign-aligned unit vectors, as the clustering
    /// measures them.
    public let directions: Matrix<Double>

    public init(epoch: Int, stableChecks: Int, directions: Matrix<Double>) {
        self.epoch = epoch
        self.stableChecks = stableChecks
        self.directions = directions
    }

    /// Whether this check found the big clusters of `previous`: as many, each within
    /// `angleDegrees` (up to sign) of one of them and each of them within that of one of these.
    /// Members are not compared: a student's weak second copy of a neuron joins and leaves a
    /// cluster from check to check, and a teacher neuron split into two close clusters (folded
    /// later as duplicates) can swap members between them, without changing what is rebuilt.
    public func sameClusters(as previous: ClusterCheck, angleDegrees: Double) -> Bool {
        guard directions.rows > 0, directions.rows == previous.directions.rows,
              directions.columns == previous.directions.columns else { return false }
        func covered(_ a: Matrix<Double>, by b: Matrix<Double>) -> Bool {
            (0..<a.rows).allSatisfy { i in
                (0..<b.rows).contains { j in VectorAngle(a.row(i), b.row(j)).unsigned.degrees <= angleDegrees }
            }
        }
        return covered(directions, by: previous.directions) && covered(previous.directions, by: directions)
    }

    /// The header a checkpoint keeps in its metadata (the directions go in a tensor).
    struct Header: Codable {
        let epoch: Int
        let stableChecks: Int
    }

    var header: Header { Header(epoch: epoch, stableChecks: stableChecks) }

    /// A check read back from a checkpoint, with every field checked.
    init(header: Header, directions: Matrix<Double>) throws {
        try Field.require(header.epoch >= 1, "clusterCheck.epoch", "at least 1", header.epoch)
        try Field.require(header.stableChecks >= 0, "clusterCheck.stableChecks", "0 or more", header.stableChecks)
        try Field.require(directions.scalars.allSatisfy(\.isFinite), "clusterCheck.directions", "finite", "a non-finite value")
        self.init(epoch: header.epoch, stableChecks: header.stableChecks, directions: directions)
    }
}
