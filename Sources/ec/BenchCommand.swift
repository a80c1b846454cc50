import ArgumentParser
import ECCore
import ECEngine
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time student training on the peer benchmarks' workloads (seconds per epoch, GFLOP/s).")

    @Option(help: "toy, mnist64, mnist256, deep, or all.")
    var workload = "toy"

    @Option(parsing: .unconditional, help: "Timed epochs after one warm-up epoch (default: 20 for toy, 2 otherwise).")
    var epochs: Int?

    /// Backend, device and precision (float32 by default here, as in the peers' workloads).
    @OptionGroup var engine: EngineOptions

    @Option(help: "Probe-set size instead of the workload's (the same shapes, minibatch and students): a quick check on a slow device.")
    var samples: Int?

    @Flag(help: "After the timed epochs, one more with each kernel's device time (OpenCL event timing): its share of a step and launches per step.")
    var profile = false

    @Flag(help: "One JSON object per workload on stdout.")
    var json = false

    func validate() throws {
        if let epochs { try FlagCheck.positive(epochs, "--epochs") }
        if let samples { try FlagCheck.positive(samples, "--samples") }
        if workload != "all" {
            do {
                _ = try BenchmarkWorkload.named(workload)
            } catch let error as ECError {
                throw ValidationError("--workload: \(error)")
            }
        }
    }

    func run() async throws {
        let workloads = (workload == "all" ? BenchmarkWorkload.all : [try BenchmarkWorkload.named(workload)])
            .map { w in samples.map { w.withSamples($0) } ?? w }
        for w in workloads {
            let epochs = self.epochs ?? (w.name == "toy" ? 20 : 2)
            let result: BenchmarkResult
            let precision = engine.precision(default: .float32)
            let device = try engine.selection.resolve(precision: precision)
            switch precision {
            case .float32: result = try bench(w, Float.self, on: device, epochs: epochs)
            case .float64: result = try bench(w, Double.self, on: device, epochs: epochs)
            }
            if json {
                print(String(decoding: try JSONEncoder.forLines.encode(result), as: UTF8.self))
            } else {
                let memory = result.peakDeviceMemoryBytes.map {
                    String(format: "  peak device %.1f MiB", Double($0) / Double(1 << 20))
                } ?? ""
                let host = result.hostSecondsPerLaunch.map { String(format: ", host %.1f µs per launch", $0 * 1e6) } ?? ""
                print(String(format: "%-9@ %.4f s/epoch  %7.1f GFLOP/s  loss %.4g%@  %.2f launches/step%@  [%@]", w.name,
                             result.secondsPerEpoch, result.gflops, result.loss, memory, result.launchesPerStep, host,
                             result.device))
                for share in result.profile ?? [] {
                    print(String(format: "  %5.1f%%  %8.1f µs/step  %5.2f launches/step  %@", 100 * share.share,
                                 share.secondsPerStep * 1e6, share.launchesPerStep, share.kernel))
                }
            }
        }
    }

    private func bench<T: Real>(_ w: BenchmarkWorkload, _: T.Type, on device: BackendChoice.Resolved,
                                epochs: Int) throws -> BenchmarkResult {
        let configuration = EngineConfiguration(batchSize: w.batchSize)
        let backend: any TrainingBackend<T>
        if profile, case .opencl(let openCL) = device {
            // Event timing needs a queue opened for it, which training's shared context is not.
            do {
                backend = try OpenCLBackend(context: OpenCLContext(device: openCL, profiling: true), data: w.data(),
                                            bank: w.bank(), configuration: configuration)
            } catch let error as OpenCLError {
                throw error.asECError
            }
        } else {
            backend = try device.make(data: w.data(), bank: w.bank(), configuration: configuration)
        }
        return try w.run(on: backend, epochs: epochs, profile: profile)
    }
}
