import CBLAS
import ECCore
import Foundation

/// The CPU backend: OpenBLAS for the matrix products, vectorised Swift loops for everything
/// elementwise. It is the reference the OpenCL kernels are tested against and the fallback where
/// no GPU is present.
///
/// Students are split into one contiguous slice per core; each worker runs the whole epoch for
/// its slice with single-threaded OpenBLAS calls, so there is no synchronisation inside an epoch
/// and results do not depend on the number of threads.
public final class CPUBackend<T: Real>: TrainingBackend, @unchecked Sendable {
    public typealias Scalar = T

    public let data: TrainingData<T>
    public let configuration: EngineConfiguration
    public let widths: [Int]
    public let activation: Activation
    public let layout: ParameterLayout
    public let studentCount: Int
    private let parameters: [HostBuffer<T>]
    private let firstMoments: [HostBuffer<T>]
    private let secondMoments: [HostBuffer<T>]
    private var step: Int
    private let slices: [StudentSlice<T>]

    public var deviceDescription: String {
        "CPU (OpenBLAS \(OpenBLAS.coreName), \(slices.count) thread\(slices.count == 1 ? "" : "s"), \(T.precision.rawValue))"
    }

    public init(data: TrainingData<T>, bank: StudentBank<T>, optimizerState: OptimizerState<T>? = nil,
                configuration: EngineConfiguration, threads: Int? = nil) throws {
        try Self.validate(data: data, bank: bank, configuration: configuration)
        let configuration = configuration.fitted(to: data.sampleCount)
        self.data = data
        self.configuration = configuration
        widths = bank.widths
        activation = bank.activation
        layout = bank.layout
        studentCount = bank.count
        parameters = bank.tensors.map { HostBuffer($0) }
        let state = optimizerState ?? .initial(for: bank, optimizer: configuration.optimizer)
        // The moments are read through raw pointers beside the parameters: every size must match.
        guard state.firstMoments.count == (configuration.optimizer.usesMoments ? layout.tensors.count : 0),
              state.secondMoments.count == state.firstMoments.count,
              zip(state.firstMoments + state.secondMoments, parameters + parameters).allSatisfy({ $0.count == $1.count }) else {
            throw ECError.shapeMismatch("optimizer state has \(state.firstMoments.count) tensors for \(layout.tensors.count) parameters, "
                                        + "or tensors of other sizes")
        }
        firstMoments = state.firstMoments.map { HostBuffer($0) }
        secondMoments = state.secondMoments.map { HostBuffer($0) }
        step = state.step
        let workers = max(1, min(bank.count, threads ?? ProcessorShare.cores))
        slices = (0..<workers).map { w in
            let first = w * bank.count / workers, end = (w + 1) * bank.count / workers
            return StudentSlice(first: first, count: end - first, widths: bank.widths, activation: bank.activation,
                                layout: bank.layout, batchCapacity: configuration.batchSize, loss: configuration.loss)
        }
    }

    static func validate(data: TrainingData<T>, bank: StudentBank<T>, configuration: EngineConfiguration) throws {
        guard configuration.batchSize > 0 else {
            throw ECError.invalidArgument("batch size must be positive (got \(configuration.batchSize))")
        }
        guard data.inputs.columns == bank.widths[0] else {
            throw ECError.shapeMismatch("the data has \(data.inputs.columns) inputs but the students take \(bank.widths[0])")
        }
        let outputs = bank.widths[bank.widths.count - 1]
        switch configuration.loss {
        case .meanSquaredError where data.targets.columns != outputs:
            throw ECError.shapeMismatch("the data has \(data.targets.columns) outputs but the students have \(outputs)")
        case .crossEntropy where data.labels.isEmpty:
            throw ECError.shapeMismatch("cross-entropy needs class labels")
        default: break
        }
    }

    public func trainEpoch(order: [Int32], learningRates: [Double]) throws -> [Double] {
        precondition(learningRates.count == studentCount, "one learning rate per student")
        let batch = configuration.batchSize
        let batches = (order.count + batch - 1) / batch
        let firstStep = step
        let pointers = PointerSet(self)
        run { slice in
            order.withUnsafeBufferPointer { order in
                for b in 0..<batches {
                    let indices = UnsafeBufferPointer(rebasing: order[b * batch ..< min(order.count, (b + 1) * batch)])
                    slice.gather(indices, from: self.data)
                    slice.forward(rows: indices.count, parameters: pointers.parameters, layout: self.layout)
                    slice.accumulateLoss(rows: indices.count, withGradient: true)
                    slice.backward(rows: indices.count, parameters: pointers.parameters, layout: self.layout,
                                   configuration: self.configuration)
                    slice.update(parameters: pointers.parameters, firstMoments: pointers.first,
                                 secondMoments: pointers.second, layout: self.layout,
                                 configuration: self.configuration, learningRates: learningRates,
                                 step: firstStep + b + 1)
                }
            }
        }
        step += batches
        return meanLosses(samples: order.count)
    }

    public func evaluateLosses() throws -> [Double] {
        let all = (0..<Int32(data.sampleCount)).map { $0 }
        let batch = configuration.batchSize
        let pointers = PointerSet(self)
        run { slice in
            all.withUnsafeBufferPointer { all in
                for start in stride(from: 0, to: all.count, by: batch) {
                    let indices = UnsafeBufferPointer(rebasing: all[start ..< min(all.count, start + batch)])
                    slice.gather(indices, from: self.data)
                    slice.forward(rows: indices.count, parameters: pointers.parameters, layout: self.layout)
                    slice.accumulateLoss(rows: indices.count, withGradient: false)
                }
            }
        }
        return meanLosses(samples: data.sampleCount)
    }

    public func currentBank() throws -> StudentBank<T> {
        var bank = try StudentBank<T>.random(widths: widths, count: studentCount, activation: activation, seed: 0,
                                             skip: layout.tensors.count > 2 * (widths.count - 1))
        bank.setTensors(parameters.map(\.array))
        return bank
    }

    public func currentOptimizerState() throws -> OptimizerState<T> {
        OptimizerState(step: step, firstMoments: firstMoments.map(\.array), secondMoments: secondMoments.map(\.array))
    }

    /// Runs `body` once per slice, in parallel, after clearing the slices' loss sums.
    private func run(_ body: @escaping @Sendable (StudentSlice<T>) -> Void) {
        for slice in slices { slice.lossSums = [Double](repeating: 0, count: slice.count) }
        let slices = self.slices
        DispatchQueue.concurrentPerform(iterations: slices.count) { i in withSubnormalsFlushed { body(slices[i]) } }
    }

    /// Per-student mean loss: squared error per sample and output, or cross-entropy per sample.
    private func meanLosses(samples: Int) -> [Double] {
        let perSample = configuration.loss == .meanSquaredError ? widths[widths.count - 1] : 1
        return slices.flatMap { $0.lossSums.map { $0 / Double(samples * perSample) } }
    }

    /// Raw pointers to the backend's storage, captured by the worker closures.
    private struct PointerSet: @unchecked Sendable {
        let parameters: [UnsafeMutablePointer<T>]
        let first: [UnsafeMutablePointer<T>]
        let second: [UnsafeMutablePointer<T>]
        init(_ backend: CPUBackend) {
            parameters = backend.parameters.map(\.pointer)
            first = backend.firstMoments.map(\.pointer)
            second = backend.secondMoments.map(\.pointer)
        }
    }
}
