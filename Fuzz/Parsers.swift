// libFuzzer target for every file parser: any bytes must decode or throw an ECError. One
// executable serves them all, so the instrumented ECFormats is compiled once; EC_FUZZ_TARGET
// (safetensors, npy, npz, idx or gzip) says which parser a run feeds (scripts/fuzz.sh).
import Foundation

private let target = ProcessInfo.processInfo.environment["EC_FUZZ_TARGET"] ?? ""

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case "safetensors": _ = try? SafetensorsFile(decoding: bytes, path: "fuzz")
    case "npy": _ = try? NPY.decode(bytes, path: "fuzz")
    // npz and IDX under a 256 MiB memory budget; gzip inflates at most its first MiB.
    case "npz": _ = try? NPZFile(decoding: bytes, path: "fuzz", memoryBudget: 1 << 28)
    case "idx": _ = try? IDX.decode(bytes, path: "fuzz", memoryBudget: 1 << 28)
    case "gzip": _ = try? Gzip.decompress(bytes, path: "fuzz", size: .prefix(1 << 20))
    default: fatalError("EC_FUZZ_TARGET must be safetensors, npy, npz, idx or gzip (got '\(target)')")
    }
    return 0
}
