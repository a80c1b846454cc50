import ECCore
import Foundation

/// Networks as safetensors files in PyTorch's `nn.Linear` layout: `layers.{i}.weight` [out, in]
/// and `layers.{i}.bias` [out] for i = 0…L (layer L is the linear output layer), optionally
/// `skip.weight` [out, in] and `skip.bias` [out], and the hidden activation's name in the
/// metadata under `activation`.
extension Network {
    static var activationKey: String { "activation" }

    /// Reads a network file; float32 and float64 weights both convert to `T`.
    public static func load(from url: URL) throws -> Network<T> {
        try Network(safetensors: SafetensorsFile.read(from: url), path: url.displayPath)
    }

    /// Builds a network from a decoded network file, checking that the layers are complete and
    /// numbered without gaps, that their shapes chain, that every weight is finite and that the
    /// activation is known. `path` names the file in error messages.
    public init(safetensors file: SafetensorsFile, path: String) throws {
        func invalid(_ problem: String) -> ECError { .invalidFile(path: path, problem: problem) }
        var layerTensors = [Int: [String: AnyTensor]]()
        var skipTensors = [String: AnyTensor]()
        for entry in file.tensors {
            let parts = entry.name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2, parts[0] == "skip", ["weight", "bias"].contains(parts[1]) {
                skipTensors[parts[1]] = entry.tensor
            } else if parts.count == 3, parts[0] == "layers", let index = Int(parts[1]), String(index) == parts[1],
                      ["weight", "bias"].contains(parts[2]) {
                layerTensors[index, default: [:]][parts[2]] = entry.tensor
            } else {
                throw invalid("unexpected tensor '\(entry.name.printable)' (a network file holds layers.{i}.weight, "
                              + "layers.{i}.bias, skip.weight and skip.bias)")
            }
        }
        guard let last = layerTensors.keys.max() else { throw invalid("no layers.{i}.weight tensors; not a network file") }

        var layers = [DenseLayer<T>]()
        for index in 0...last {
            let tensors = layerTensors[index, default: [:]]
            guard let weight = tensors["weight"], let bias = tensors["bias"] else {
                let missing = tensors["weight"] == nil ? "weight" : "bias"
                throw invalid("missing tensor 'layers.\(index).\(missing)' (layers must be numbered 0…\(last) without gaps)")
            }
            layers.append(try Self.layer(weight: weight, bias: bias, name: "layers.\(index)", path: path))
        }
        for (index, pair) in zip(layers, layers.dropFirst()).enumerated() where pair.0.outputs != pair.1.inputs {
            throw ECError.shapeMismatch("\(path): layers.\(index).weight is [\(pair.0.outputs), \(pair.0.inputs)] "
                + "(\(pair.0.outputs) outputs) but layers.\(index + 1).weight is [\(pair.1.outputs), \(pair.1.inputs)] "
                + "(\(pair.1.inputs) inputs); the layers do not chain")
        }

        let skip: DenseLayer<T>?
        switch (skipTensors["weight"], skipTensors["bias"]) {
        case (nil, nil): skip = nil
        case (let weight?, let bias?):
            let layer = try Self.layer(weight: weight, bias: bias, name: "skip", path: path)
            let (inputs, outputs) = (layers[0].inputs, layers[last].outputs)
            guard layer.inputs == inputs, layer.outputs == outputs else {
                throw ECError.shapeMismatch("\(path): skip.weight is [\(layer.outputs), \(layer.inputs)] but the network "
                                            + "maps \(inputs) inputs to \(outputs) outputs (expected [\(outputs), \(inputs)])")
            }
            skip = layer
        default:
            throw invalid("has only one of skip.weight and skip.bias")
        }

        guard let name = file.metadata[Self.activationKey] else {
            throw invalid("no '\(Self.activationKey)' entry in the metadata")
        }
        let activation: Activation
        do {
            activation = try Activation(name: name)
        } catch let error as ECError {
            throw invalid("metadata '\(Self.activationKey)': \(String(describing: error).printable(limit: 400))")
        }
        try self.init(activation: activation, layers: layers, skip: skip)
    }

    /// One layer's weight [out, in] and bias [out], checked for float type, shape and finiteness.
    private static func layer(weight: AnyTensor, bias: AnyTensor, name: String, path: String) throws -> DenseLayer<T> {
        for (tensor, role) in [(weight, "weight"), (bias, "bias")] where ![.float32, .float64].contains(tensor.dtype) {
            throw ECError.invalidFile(path: path, problem: "\(name).\(role) has dtype \(tensor.dtypeName); "
                                      + "network weights must be float32 or float64")
        }
        guard weight.rank == 2, weight.shape.allSatisfy({ $0 > 0 }) else {
            throw ECError.shapeMismatch("\(path): \(name).weight has shape \(weight.shape); expected [out, in] with both positive")
        }
        guard bias.shape == [weight.shape[0]] else {
            throw ECError.shapeMismatch("\(path): \(name).bias has shape \(bias.shape) but \(name).weight has "
                                        + "\(weight.shape[0]) rows (expected [\(weight.shape[0])])")
        }
        let matrix = try weight.matrix(as: T.self, name: "\(name).weight")
        let biases = bias.scalars(as: T.self)
        try requireFinite(matrix.scalars, columns: matrix.columns, "\(path): \(name).weight")
        try requireFinite(biases, "\(path): \(name).bias")
        return DenseLayer(weight: matrix, bias: biases)
    }

    /// The network as a network file's tensors and metadata, stored in `precision`. `metadata`
    /// is kept alongside; its `activation` entry, if any, is replaced by the network's.
    public func safetensors(metadata: [String: String] = [:], precision: Precision = T.precision) -> SafetensorsFile {
        var tensors = [NamedTensor]()
        func add(_ name: String, _ layer: DenseLayer<T>) {
            tensors.append(NamedTensor("\(name).weight", AnyTensor(
                shape: [layer.outputs, layer.inputs], storage: TensorStorage(layer.weight.scalars, precision: precision))))
            tensors.append(NamedTensor("\(name).bias", AnyTensor(
                shape: [layer.outputs], storage: TensorStorage(layer.bias, precision: precision))))
        }
        for (index, layer) in layers.enumerated() { add("layers.\(index)", layer) }
        if let skip { add("skip", skip) }
        var metadata = metadata
        metadata[Self.activationKey] = activation.rawValue
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes the network file atomically; see `safetensors(metadata:precision:)`.
    public func save(to url: URL, metadata: [String: String] = [:], precision: Precision = T.precision) throws {
        try safetensors(metadata: metadata, precision: precision).write(to: url)
    }
}
