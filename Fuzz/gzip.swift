// libFuzzer target: any bytes must inflate (the first MiB) or throw an ECError
// (scripts/fuzz.sh builds it).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? Gzip.decompress(Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz", size: .prefix(1 << 20))
    return 0
}
