import ECCore
import Foundation

extension OpenCLBackend {
    public func trainEpoch(order: [Int32], learningRates: [Double]) throws -> [Double] {
        precondition(learningRates.count == studentCount, "one learning rate per student")
        try rates.write(learningRates.map { T($0) })
        try runEpoch(order: order, learning: learningRates.contains { $0 != 0 })
        step += batches(order.count)
        return try meanLosses(samples: order.count)
    }

    public func evaluateLosses() throws -> [Double] {
        try rates.write([T](repeating: 0, count: studentCount))
        try runEpoch(order: (0..<Int32(samples.rows)).map { $0 }, learning: false)
        return try meanLosses(samples: samples.rows)
    }

    private func batches(_ samples: Int) -> Int {
        (samples + configuration.batchSize - 1) / configuration.batchSize
    }

    /// One pass over `order` with the rates already uploaded: training when `learning`, otherwise
    /// only the losses. Updates are numbered from `step + 1`, one per minibatch.
    private func runEpoch(order: [Int32], learning: Bool) throws {
        try upload(order)
        switch runner {
        case .fused(let kernel):
            // Students at rate 0 are only evaluated by the kernel, so `learning` needs no flag.
            try kernel.run(samples: samples, order: self.order, count: order.count, batchSize: configuration.batchSize,
                           parameters: parameters, rates: rates, firstStep: step, lossSums: lossSums)
        case .general(let pipeline):
            try lossSums.fill(0)
            let size = configuration.batchSize
            // The loop only enqueues (nothing in it waits for the device), so its wall time is the
            // host's cost of the launches, which `ec bench` reports per launch.
            let start = DispatchTime.now().uptimeNanoseconds
            for b in 0..<batches(order.count) {
                // With every rate 0 nothing would change; the step counter still advances, as on the CPU.
                try pipeline.run(order: self.order, first: b * size, rows: min(size, order.count - b * size),
                                 step: learning ? step + b + 1 : nil)
            }
            context.queue.recorder.addHostTime(nanoseconds: Int(DispatchTime.now().uptimeNanoseconds - start))
        }
    }

    /// Checks `order` against the probe set (the kernels index with it unchecked) and uploads it.
    private func upload(_ order: [Int32]) throws {
        if let bad = order.first(where: { $0 < 0 || Int($0) >= samples.rows }) {
            throw ECError.invalidArgument("sample index \(bad) in the epoch's order is outside 0..<\(samples.rows)")
        }
        if order.count > self.order.count {
            try checkIndexable(order.count, "the epoch's order")
            self.order = try context.makeBuffer(Int32.self, count: order.count)
        }
        try self.order.write(order)
    }

    /// Per-student mean loss: squared error per sample and output, or cross-entropy per sample.
    private func meanLosses(samples: Int) throws -> [Double] {
        let perSample = configuration.loss == .meanSquaredError ? widths[widths.count - 1] : 1
        let sums = try lossSums.read(range: 0..<2 * studentCount)
        return (0..<studentCount).map { s in (Double(sums[2 * s]) - Double(sums[2 * s + 1])) / Double(samples * perSample) }
    }
}
