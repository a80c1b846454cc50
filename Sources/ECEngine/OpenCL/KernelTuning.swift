import ECCore
import Foundation

/// The tunable sizes of the engine's kernels. They reach the compiler as `-D` options, as in
/// CLBlast, so that each is a constant the compiler can unroll loops and size arrays with; each
/// kernel file defaults them the same way for a build without options.
public struct KernelTuning: Sendable, Hashable {
    /// gemm.cl: a work-group computes `tileM × tileN` results, staging `tileK`-deep slices of the
    /// operands; each work-item computes `workM × workN` of them.
    public var tileM = 64, tileN = 64, tileK = 16, workM = 4, workN = 4
    /// gemm_tiles.cl: 1, the strided scalar tiles; 2, blocks of 4 read as vectors from
    /// double-buffered tiles (issue 28, to be compared on a card; used where twice the
    /// local memory fits, else 1).
    public var gemmVersion = 1
    /// gemm.cl on small products: while a product's grid has fewer work-groups than this, its
    /// tiles and the results per work-item are halved together (the same work-items per group,
    /// a quarter of the serial work each), down to one result per work-item. 0: never.
    public var fillGroups = 0
    /// loss.cl: work-items per student (a power of two).
    public var lossGroup = 256
    /// epoch_small.cl: work-items per student (a power of two).
    public var fusedGroup = 256
    /// layer_step.cl: work-items per student (a power of two).
    public var layerGroup = 256
    /// 1: the output layer and small hidden layers in one launch each (layer_step.cl); 0: their
    /// matrix products and the loss kernel, as before issue 28, for an A/B on a card.
    public var layerSteps = 1

    /// The environment variable that overrides tunables, e.g. `tileM=128,tileN=128,workM=8,workN=8`:
    /// a GPU machine can try sizes without a rebuild.
    public static let environmentVariable = "EC_KERNEL_TUNING"

    public init() {}

    /// The defaults; on a GPU, products in 128 × 128 tiles with 8 × 8 results per work-item, the
    /// fastest configuration measured on an H100 (RESULTS.md): more results per work-item means
    /// fewer local-memory reads per multiply-add. CPU devices keep 64 × 64 with 4 × 4, which
    /// needs fewer registers, in version 2 of the tiles. Then halved where `device`
    /// takes fewer than 256 work-items per group, and overridden from `EC_KERNEL_TUNING`.
    ///
    /// On a GPU a product should also give every compute unit a work-group (`fillGroups`): the
    /// first layer of one 784-30 network on a 128-sample minibatch is a single 128 × 128 tile
    /// walking K = 784 on one compute unit while all the others idle.
    /// - Throws: `ECError.invalidArgument` for an override that names no tunable or gives sizes
    ///   that do not fit together or do not fit the device.
    public static func `for`(_ device: OpenCLDevice,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KernelTuning {
        var tuning = KernelTuning()
        if device.kind == .gpu {
            (tuning.tileM, tuning.tileN, tuning.workM, tuning.workN) = (128, 128, 8, 8)
            tuning.fillGroups = device.computeUnits
        } else {
            // Version 2's vector reads trained 2–3 times faster per epoch on PoCL (RESULTS.md,
            // issue 28); GPUs keep version 1 until a card has compared them.
            tuning.gemmVersion = 2
        }
        while tuning.largestGroup > device.maxWorkGroupSize && tuning.lossGroup > 1 {
            tuning.workM = min(tuning.workM * 2, tuning.tileM)
            tuning.lossGroup /= 2
            tuning.fusedGroup /= 2
            tuning.layerGroup /= 2
        }
        if let text = environment[environmentVariable], !text.isEmpty {
            try tuning.override(with: text)
        }
        try tuning.validate(maxWorkGroupSize: device.maxWorkGroupSize)
        return tuning
    }

    /// Work-items per GEMM work-group along N (dimension 0) and M (dimension 1).
    var gemmThreads: (n: Int, m: Int) { (tileN / workN, tileM / workM) }

    /// Work-groups along N and M that cover an `m × n` product in these tiles.
    func gemmGroups(m: Int, n: Int) -> (n: Int, m: Int) { ((n + tileN - 1) / tileN, (m + tileM - 1) / tileM) }

    /// The tiles of a product of `m × n` results in `batch` matrices: these, or halved per
    /// `fillGroups`.
    public func gemmTiles(m: Int, n: Int, batch: Int) -> KernelTuning {
        var tiles = self
        func groups(_ t: KernelTuning) -> Int { let g = t.gemmGroups(m: m, n: n); return g.n * g.m * batch }
        while groups(tiles) < fillGroups, tiles.workM % 2 == 0, tiles.workN % 2 == 0 {
            (tiles.tileM, tiles.tileN, tiles.workM, tiles.workN) = (tiles.tileM / 2, tiles.tileN / 2, tiles.workM / 2, tiles.workN / 2)
        }
        return tiles
    }

    var gemmDefines: [String] {
        [define("TILE_M", tileM), define("TILE_N", tileN), define("TILE_K", tileK),
         define("WORK_M", workM), define("WORK_N", workN), define("GEMM_VERSION", gemmVersion)]
    }

    /// The local memory a product's work-group takes in these tiles (gemm_tiles.cl's tiles).
    func gemmLocalBytes(scalarBytes: Int) -> Int {
        let pad = gemmVersion == 2 ? 4 : 1
        return gemmVersion * tileK * (tileM + pad + tileN + pad) * scalarBytes
    }

    /// These tiles, in version 1 where version 2's double buffers would not fit `device`'s local memory.
    func fitting<T: Real>(_ device: OpenCLDevice, scalar _: T.Type) -> KernelTuning {
        var tiles = self
        if gemmLocalBytes(scalarBytes: MemoryLayout<T>.stride) > device.localMemoryBytes { tiles.gemmVersion = 1 }
        return tiles
    }

    /// The defines of the loss kernel, which does not depend on the bank.
    var lossDefines: [String] { [define("LOSS_GROUP", lossGroup)] }

    private var largestGroup: Int {
        max(gemmThreads.n * gemmThreads.m, lossGroup, fusedGroup, layerGroup)
    }

    /// The tunables by the names `EC_KERNEL_TUNING` uses (a computed property: key paths are not Sendable).
    private static var names: [String: WritableKeyPath<KernelTuning, Int>] {
        ["tileM": \.tileM, "tileN": \.tileN, "tileK": \.tileK, "workM": \.workM, "workN": \.workN, "fillGroups": \.fillGroups,
         "gemmVersion": \.gemmVersion,
         "lossGroup": \.lossGroup, "fusedGroup": \.fusedGroup, "layerGroup": \.layerGroup, "layerSteps": \.layerSteps]
    }

    private mutating func override(with text: String) throws {
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let path = Self.names[parts[0]], let value = Int(parts[1]),
                  value > 0 || (value == 0 && (path == \.fillGroups || path == \.layerSteps)) else {
                throw ECError.invalidArgument("\(Self.environmentVariable): cannot read '\(item)' (expected NAME=POSITIVE, "
                                              + "or fillGroups=0, layerSteps=0, "
                                              + "with NAME one of \(Self.names.keys.sorted().joined(separator: ", ")))")
            }
            self[keyPath: path] = value
        }
    }

    private func validate(maxWorkGroupSize: Int) throws {
        func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
        let problem: String? =
            if tileM % workM != 0 || tileN % workN != 0 {
                "tileM and tileN (\(tileM), \(tileN)) must be multiples of workM and workN (\(workM), \(workN))"
            } else if gemmVersion != 1 && gemmVersion != 2 {
                "gemmVersion (\(gemmVersion)) must be 1 or 2"
            } else if layerSteps != 0 && layerSteps != 1 {
                "layerSteps (\(layerSteps)) must be 0 or 1"
            } else if !isPowerOfTwo(lossGroup) || !isPowerOfTwo(fusedGroup) || !isPowerOfTwo(layerGroup) {
                "lossGroup, fusedGroup and layerGroup (\(lossGroup), \(fusedGroup), \(layerGroup)) must be powers of two"
            } else if largestGroup > maxWorkGroupSize {
                "a work-group of \(largestGroup) work-items exceeds the device's \(maxWorkGroupSize)"
            } else { nil }
        if let problem { throw ECError.invalidArgument("kernel tuning (see \(Self.environmentVariable)): \(problem)") }
    }
}

/// A `-D` compiler option.
func define(_ name: String, _ value: Int) -> String { "-D\(name)=\(value)" }
/// The `-DACTIVATION=` option that selects `activation`'s formula in activations.cl.
func activationDefine(_ activation: Activation) -> String {
    "-DACTIVATION=ACTIVATION_" + activation.rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
}

extension Real {
    /// The OpenCL C name of the type, the value of `REAL` in the kernels.
    static var openCLName: String { precision == .float64 ? "double" : "float" }
}

extension OpenCLContext {
    /// The embedded kernel files `files`, after real.cl, built for scalar type `T` with `defines`.
    /// Subnormal numbers are flushed to zero, as the CPU backend trains (`withSubnormalsFlushed`):
    /// the two agree, and CPU devices such as PoCL do not slow down where dead neurons' values fall
    /// below the smallest normal number.
    /// - Throws: `ECError.device` for float64 on a device without cl_khr_fp64, before compiling.
    func program<T: Real>(files: [String], scalar _: T.Type, defines: [String] = []) throws -> OpenCLProgram {
        if T.precision == .float64 && !device.supportsFloat64 {
            throw ECError.device("\(device.name) does not support float64 (cl_khr_fp64): "
                                 + "run in float32 or choose another device")
        }
        return try program(files: ["real"] + files, options: ["-DREAL=\(T.openCLName)", "-cl-denorms-are-zero"] + defines)
    }
}

extension OpenCLArgument {
    /// A `REAL` argument: `float` or `double` as `T` is.
    static func real<T: Real>(_ value: T) -> OpenCLArgument {
        T.precision == .float64 ? .double(Double(value)) : .float(Float(value))
    }

    /// An `int` argument from a count or offset; the engine refuses problems whose indices would
    /// not fit 32 bits before it launches anything (`checkIndexable`).
    static func int(_ value: Int) -> OpenCLArgument { .int32(Int32(value)) }
}

/// Kernels index with 32-bit `int`s, which GPUs handle faster than 64-bit ones.
/// - Throws: `ECError.invalidArgument` when a buffer of `count` elements would overflow them.
func checkIndexable(_ count: Int, _ what: @autoclosure () -> String) throws {
    guard count < Int(Int32.max) else {
        throw ECError.invalidArgument("\(what()) needs \(count) elements, more than the OpenCL kernels' "
                                      + "32-bit indices reach; use fewer students or a smaller batch")
    }
}

extension OpenCLContext {
    /// The loss kernel (loss.cl, with reduce.cl's sums), which depends on the precision alone.
    func lossProgram<T: Real>(_: T.Type, tuning: KernelTuning) throws -> OpenCLProgram {
        try program(files: ["reduce", "loss"], scalar: T.self, defines: tuning.lossDefines)
    }
}
