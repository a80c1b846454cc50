import ECCore
import Foundation

/// One teacher neuron and the recovered neuron it was matched to.
public struct NeuronMatch: Sendable, Codable, Equatable {
    public let teacher: Int
    /// Nil when the recovered layer has fewer neurons than the teacher's and this one is missing.
    public let recovered: Int?
    /// Whether the recovered neuron is the teacher's with its sign flipped (allowed by the class).
    public let flipped: Bool
    public let incomingCosineDistance: Double
    public let incomingDegrees: Double
    public let outgoingCosineDistance: Double
    public let outgoingDegrees: Double
}

/// Summary statistics of one kind of angle over a layer's matches.
public struct AngleSummary: Sendable, Codable, Equatable {
    public let worstDegrees: Double
    public let medianDegrees: Double
    public let worstCosineDistance: Double
    public let medianCosineDistance: Double

    init(degrees: [Double], cosineDistances: [Double]) {
        worstDegrees = degrees.max() ?? 0
        medianDegrees = median(degrees)
        worstCosineDistance = cosineDistances.max() ?? 0
        medianCosineDistance = median(cosineDistances)
    }
}

public struct LayerComparison: Sendable, Codable, Equatable {
    /// Hidden layer index, from 0.
    public let layer: Int
    public let teacherWidth: Int
    public let recoveredWidth: Int
    /// (r̂ − r) / r.
    public var overhead: Double { Double(recoveredWidth - teacherWidth) / Double(teacherWidth) }
    public let matches: [NeuronMatch]
    /// Recovered neurons no teacher neuron was matched to.
    public let excess: [Int]
    public let incoming: AngleSummary
    public let outgoing: AngleSummary
}

/// How close a recovered network is to the teacher, up to the symmetries of the activation.
public struct NetworkComparison: Sendable, Codable, Equatable {
    public let layers: [LayerComparison]
    public let freshSamples: Int
    public let rmse: Double
    /// MSE / Var(y) on the fresh inputs.
    public let relativeMSE: Double
    /// Input coordinates left out of the first layer's angles (the input mask), if any.
    public let maskedInputs: Int
    /// What `identified` holds the result to: the toy or the large-scale criteria.
    public let criteria: IdentificationCriteria

    public var identified: Bool { criteria.met(by: layers, relativeMSE: relativeMSE) }

    enum CodingKeys: String, CodingKey {
        case layers, freshSamples, rmse, relativeMSE, maskedInputs, criteria, identified
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layers, forKey: .layers)
        try c.encode(freshSamples, forKey: .freshSamples)
        try c.encode(rmse, forKey: .rmse)
        try c.encode(relativeMSE, forKey: .relativeMSE)
        try c.encode(maskedInputs, forKey: .maskedInputs)
        try c.encode(criteria, forKey: .criteria)
        try c.encode(identified, forKey: .identified)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layers = try c.decode([LayerComparison].self, forKey: .layers)
        freshSamples = try c.decode(Int.self, forKey: .freshSamples)
        rmse = try c.decode(Double.self, forKey: .rmse)
        relativeMSE = try c.decode(Double.self, forKey: .relativeMSE)
        maskedInputs = try c.decode(Int.self, forKey: .maskedInputs)
        // Reports written before there were two scales were judged by the toy criteria.
        criteria = try c.decodeIfPresent(IdentificationCriteria.self, forKey: .criteria) ?? .toy
    }

    init(layers: [LayerComparison], freshSamples: Int, rmse: Double, relativeMSE: Double, maskedInputs: Int,
         criteria: IdentificationCriteria) {
        self.layers = layers
        self.freshSamples = freshSamples
        self.rmse = rmse
        self.relativeMSE = relativeMSE
        self.maskedInputs = maskedInputs
        self.criteria = criteria
    }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
