// libFuzzer target: any bytes, raw IDX or gzip, must decode or throw an ECError, within a
// 256 MiB budget (scripts/fuzz.sh builds it).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? IDX.decode(Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz", memoryBudget: 1 << 28)
    return 0
}
