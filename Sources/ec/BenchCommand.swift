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

    @Option(name: .customLong("batch-size"), help: "Minibatch size instead of the workload's 512 (e.g. 128, where steps are bound by launches).")
    var batchSize: Int?

    @Flag(help: "After the timed epochs, one more with each kernel's device time (OpenCL event timing): its share of a step and launches per step.")
    var profile = false

    @Option(help: ArgumentHelp("Instead of training: time the OpenCL matrix product C = A·Bᵀ of N × N × N alone "
                               + "(--epochs products, default 10), its TFLOP/s and a sampled check against double.",
                               valueName: "N"))
    var gemm: Int?

    @Flag(help: "One JSON object per workload on stdout.")
    var json = false

    func validate() throws {
        if let epochs { try FlagCheck.positive(epochs, "--epochs") }
        if let samples { try FlagCheck.positive(samples, "--samples") }
        if let batchSize { try FlagCheck.positive(batchSize, "--batch-size") }
        if let gemm { try FlagCheck.positive(gemm, "--gemm") }
        if workload != "all" {
            do {
                _ = try BenchmarkWorkload.named(workload)
            } catch let error as ECError {
                throw ValidationError("--workload: \(error)")
            }
        }
    }

    func run() async throws {
        if let gemm { return try benchGemm(gemm) }
        let workloads = (workload == "all" ? BenchmarkWorkload.all : [try BenchmarkWorkload.named(workload)])
            .map { $0.with(samples: samples, batchSize: batchSize) }
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

    private func benchGemm(_ size: Int) throws {
        let precision = engine.precision(default: .float32)
        guard case .opencl(let device) = try engine.selection.resolve(precision: precision) else {
            throw ECError.invalidArgument("--gemm times the OpenCL kernels: choose an OpenCL device (--backend opencl)")
        }
        let result = try precision == .float32
            ? GemmBenchmarkResult.run(Float.self, size: size, launches: epochs ?? 10, on: device)
            : GemmBenchmarkResult.run(Double.self, size: size, launches: epochs ?? 10, on: device)
        if json {
            print(String(decoding: try JSONEncoder.forLines.encode(result), as: UTF8.self))
        } else {
            print(String(format: "gemm %d³ %.6f s/product  %.1f GFLOP/s  sampled error %.1e  %@  [%@]", size,
                         result.secondsPerProduct, result.tflops * 1000, result.sampledRelativeError, result.tuning, result.device))
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
