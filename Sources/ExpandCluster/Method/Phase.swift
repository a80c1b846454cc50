import ECCore

/// One step of the method, with its input and output types. `PhaseRunner.run` runs it: stops
/// before it when asked, announces it, and times it under its `id`.
protocol Phase<Scalar> {
    /// The precision the students train in.
    associatedtype Scalar: Real
    associatedtype Input
    associatedtype Output
    var id: PhaseID { get }
    func run(_ input: Input, in runner: PhaseRunner<Scalar>) throws -> Output
}
