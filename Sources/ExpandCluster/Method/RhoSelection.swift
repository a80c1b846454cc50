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
    static func choose<T: Real>(data: TrainingData<T>, options: IdentifyOptions, variance: Double,
                                stopRequested: StopRequest, progress: (ProgressEvent) -> Void,
                                resume: [PilotResult], record: (PilotResult) throws -> Void) throws -> (rho: Double, pilots: [PilotResult]) {
        let pilot = options.pilot
        let floor = pilot.floor ?? (options.polishes ? 1e-8 : 1e-5)
        var results = resume
        for rho in pilot.ladder {
            let result: PilotResult
            if let done = results.first(where: { $0.rho == rho }) {
                result = done
            } else {
                let widths = [data.inputs.columns] + options.studentWidths(rho: rho) + [data.targets.columns]
                let watch = Stopwatch()
                let phase = "pilot ρ=\(format(rho))"
                progress(.phase(phase))
                let bank = try StudentBank<T>.random(widths: widths, count: pilot.students, activation: options.activation,
                                                     seed: options.seed &+ UInt64(rho * 1000),
                                                     skip: options.activation.symmetry.needsAffineSkip)
                let configuration = EngineConfiguration(batchSize: options.batchSize)
                var trained = try trainBank(bank, data: data, phase: phase, backend: options.backend,
                                            configuration: configuration, options: pilot.training, lossScale: variance,
                                            stopRequested: stopRequested, progress: progress)
                if options.polishes, let polish = options.polish {
                    trained = try polishBank(trained, data: data, options: polish, backend: options.backend,
                                             configuration: configuration)
                }
                let relative = trained.losses.map { $0 / variance }
                result = PilotResult(rho: rho, widths: Array(widths.dropFirst().dropLast()), relativeLosses: relative,
                                     reachedFloor: relative.filter { $0 < floor }.count,
                                     seconds: watch.seconds)
                results.append(result)
                try record(result)
            }
            progress(.note("ρ = \(format(rho)): \(result.reachedFloor) of \(result.relativeLosses.count) pilot students below \(floor) (median \(String(format: "%.2e", median(result.relativeLosses))))"))
            if Double(result.reachedFloor) >= pilot.fraction * Double(result.relativeLosses.count) {
                return (rho, results)
            }
        }
        let best = results.min { a, b in
            (-a.reachedFloor, median(a.relativeLosses), a.rho) < (-b.reachedFloor, median(b.relativeLosses), b.rho)
        }!
        return (best.rho, results)
    }

    static func format(_ rho: Double) -> String {
        rho == rho.rounded() ? String(Int(rho)) : String(format: "%g", rho)
    }
}
