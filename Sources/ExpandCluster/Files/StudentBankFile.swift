import ECCore
import ECEngine
import ECFormats
import Foundation

/// A student bank as a safetensors file: `students.layers.{i}.weight` [N, out, in],
/// `students.layers.{i}.bias` [N, out], optionally `students.skip.weight` [N, out, in] and the
/// per-student final losses `students.losses` [N]; metadata `activation` and `widths`.
extension StudentBank {
    static var prefix: String { "students." }

    public func safetensors(losses: [Double]? = nil, metadata: [String: String] = [:],
                            precision: Precision = T.precision) -> SafetensorsFile {
        var tensors = [NamedTensor]()
        for (spec, values) in zip(layout.tensors, self.tensors) {
            tensors.append(NamedTensor(Self.prefix + spec.name,
                                       AnyTensor(shape: [count] + spec.shape, storage: TensorStorage(values, precision: precision))))
        }
        if let losses { tensors.append(NamedTensor(Self.prefix + "losses", AnyTensor(shape: [count], scalars: losses))) }
        var meta = metadata
        meta["activation"] = activation.rawValue
        meta["widths"] = widths.map(String.init).joined(separator: ",")
        return SafetensorsFile(tensors: tensors, metadata: meta)
    }

    /// Reads a bank written by `safetensors(losses:)`; the losses are nil when absent.
    public init(safetensors file: SafetensorsFile, path: String) throws {
        func invalid(_ problem: String) -> ECError { .invalidFile(path: path, problem: problem) }
        guard let name = file.metadata["activation"] else { throw invalid("no 'activation' in the metadata") }
        let activation = try Activation(name: name)
        guard let widthText = file.metadata["widths"],
              case let widths = widthText.split(separator: ",").compactMap({ Int($0) }),
              widths.count >= 2, widths.count == widthText.split(separator: ",").count else {
            throw invalid("no valid 'widths' in the metadata (expected e.g. \"4,32,1\")")
        }
        guard let first = file[Self.prefix + "layers.0.weight"], first.rank == 3, first.shape[0] > 0 else {
            throw invalid("missing or malformed tensor 'students.layers.0.weight' (expected [N, out, in])")
        }
        let count = first.shape[0]
        let hasSkip = file[Self.prefix + "skip.weight"] != nil
        // A student that diverged keeps training at rate 0 with NaN parameters, and is left out
        // downstream by its non-finite loss; a checkpoint holding one must still load.
        let losses = Self.losses(in: file).flatMap { $0.count == count ? $0 : nil }
        let diverged = losses.map { losses in losses.indices.filter { !losses[$0].isFinite } } ?? []
        var tensors = [[T]]()
        for spec in ParameterLayout(widths: widths, skip: hasSkip).tensors {
            guard let tensor = file[Self.prefix + spec.name] else { throw invalid("missing tensor 'students.\(spec.name)'") }
            guard tensor.shape == [count] + spec.shape else {
                throw ECError.shapeMismatch("\(path): students.\(spec.name) is \(tensor.shape), widths \(widths) with \(count) students need \([count] + spec.shape)")
            }
            guard tensor.dtype == .float32 || tensor.dtype == .float64 else {
                throw invalid("students.\(spec.name) has dtype \(tensor.dtypeName); expected F32 or F64")
            }
            let values = tensor.scalars(as: T.self)
            let perStudent = values.count / count
            if let bad = values.indices.first(where: { !values[$0].isFinite && !diverged.contains($0 / perStudent) }) {
                throw ECError.nonFiniteData("\(path): students.\(spec.name) holds \(values[bad]) at index \(bad), in student \(bad / perStudent), whose loss is finite or not recorded")
            }
            tensors.append(values)
        }
        var bank = try StudentBank.random(widths: widths, count: count, activation: activation, seed: 0, skip: hasSkip)
        bank.setTensors(tensors)
        self = bank
    }

    /// The `students.losses` tensor of a bank file, if present.
    public static func losses(in file: SafetensorsFile) -> [Double]? {
        file[prefix + "losses"]?.scalars(as: Double.self)
    }
}
