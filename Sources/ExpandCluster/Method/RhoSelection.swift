import ECCore
import ECEngine
import Foundation

/// What the pilot runs at one ρ found.
public struct PilotResult: Sendable, Codable, Equatable {
    public let rho: Double
    public let widths: [Int]
    /// Final MSE / Var(y) of each pilot student.
    public let relativeLosses: [Double]
    public let reachedFloor: Int
    public let seconds: Double
}

/// Chooses ρ: pilot banks of a few students at growing ρ along the ladder, trained briefly;
/// the first ρ at which at least `fraction` of the pilots reach `floor` (MSE / Var(y)) is taken.
/// If none does, the ρ where most pilots reached the floor, ties broken by the lower median loss,
/// then by the smaller ρ.
enum RhoSelection {
    static func choose<T: Real>(runner: PhaseRunner<T>) throws -> (rho: Double, pilots: [PilotResult]) {
        let pilot = runner.options.pilot
        var results = try runner.store?.pilots() ?? []
        for rho in pilot.ladder {
            let result: PilotResult
            if let done = results.first(where: { $0.rho == rho }) {
                result = done
            } else {
                result = try runner.run(Pilot(rho: rho), ())
                results.append(result)
                try runner.store?.record(pilot: result)
            }
            runner.progress(.note("ρ = \(PhaseID.format(rho)): \(result.reachedFloor) of \(result.relativeLosses.count) pilot students below \(floor(runner.options)) (median \(String(format: "%.2e", median(result.relativeLosses))))"))
            if Double(result.reachedFloor) >= pilot.fraction * Double(result.relativeLosses.count) {
                runner.progress(.note("chose ρ = \(PhaseID.format(rho))"))
                return (rho, results)
            }
        }
        let best = results.min { a, b in
            (-a.reachedFloor, median(a.relativeLosses), a.rho) < (-b.reachedFloor, median(b.relativeLosses), b.rho)
        }!
        runner.progress(.note("chose ρ = \(PhaseID.format(best.rho)) (no rung reached the floor with \(PhaseID.format(100 * pilot.fraction))% of its pilots)"))
        return (best.rho, results)
    }

    /// The MSE / Var(y) a pilot student must reach.
    static func floor(_ options: IdentifyOptions) -> Double {
        options.pilot.floor ?? (options.polishes ? 1e-8 : 1e-5)
    }
}

/// One pilot expansion at ρ: a few students trained briefly (and polished, in polished runs).
/// Pilots keep no checkpoints; a stopped one starts over.
struct Pilot<Scalar: Real>: Phase {
    let rho: Double
    var id: PhaseID { .pilot(rho: rho) }

    func run(_: Void, in runner: PhaseRunner<Scalar>) throws -> PilotResult {
        let options = runner.options, settings = options.pilot.training
        let watch = Stopwatch()
        let widths = options.studentWidths(rho: rho)
        let bank = try StudentBank<Scalar>.random(
            widths: [runner.data.inputs.columns] + widths + [runner.data.targets.columns], count: options.pilot.students,
            activation: options.activation, seed: options.seed &+ UInt64(rho * 1000),
            skip: options.activation.symmetry.needsAffineSkip)
        var trained = runner.lowersPrecision(settings)
            ? try train(bank.converted(), settings: settings, on: runner.float32.get()).converted()
            : try train(bank, settings: settings, on: runner)
        if options.polishes, let polish = settings.polish {
            trained = try polishBank(trained, data: runner.data, options: polish, device: runner.device,
                                     configuration: settings.engine(), ranks: runner.ranks)
        }
        let relative = trained.losses.map { $0 / runner.variance }
        return PilotResult(rho: rho, widths: widths, relativeLosses: relative,
                           reachedFloor: relative.filter { $0 < RhoSelection.floor(options) }.count, seconds: watch.seconds)
    }

    /// Adam's part of a pilot, in the precision of `runner`.
    private func train<U: Real>(_ bank: StudentBank<U>, settings: TrainingSettings, on runner: PhaseRunner<U>) throws -> TrainedBank<U> {
        try trainBank(bank, data: runner.data, phase: id, device: runner.device, configuration: settings.engine(),
                      options: settings.trainer(seed: 0), lossScale: runner.variance, stopRequested: runner.stopRequested,
                      ranks: runner.ranks, progress: runner.progress)
    }
}
