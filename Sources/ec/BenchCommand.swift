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

    @Flag(help: "One JSON object per workload on stdout.")
    var json = false

    func validate() throws {
        if let epochs { try FlagCheck.positive(epochs, "--epochs") }
        if workload != "all" {
            do {
                _ = try BenchmarkWorkload.named(workload)
            } catch let error as ECError {
                throw ValidationError("--workload: \(error)")
            }
        }
    }

    func run() async throws {
        let workloads = workload == "all" ? BenchmarkWorkload.all : [try BenchmarkWorkload.named(workload)]
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
                print(String(format: "%-9@ %.4f s/epoch  %7.1f GFLOP/s  loss %.4g%@  [%@]", w.name, result.secondsPerEpoch,
                             result.gflops, result.loss, memory, result.device))
            }
        }
    }

    private func bench<T: Real>(_ w: BenchmarkWorkload, _: T.Type, on device: BackendChoice.Resolved,
                                epochs: Int) throws -> BenchmarkResult {
        let backend: any TrainingBackend<T> = try device.make(data: w.data(), bank: w.bank(),
                                                              configuration: EngineConfiguration(batchSize: w.batchSize))
        return try w.run(on: backend, epochs: epochs)
    }
}
