/// The scale a probe set puts a run at. The settings that identify a teacher in reasonable time
/// (`IdentifyOptions.recipe`) and the criteria a result is judged by differ between the two.
public enum RunScale: String, Sendable, Codable {
    /// At most `toyInputs` inputs: the paper's toy teachers.
    case toy
    /// More inputs: images and the like.
    case large

    public static let toyInputs = 64

    public init(inputs: Int) { self = inputs > Self.toyInputs ? .large : .toy }

    public var criteria: IdentificationCriteria { self == .toy ? .toy : .large }
}
