// libFuzzer target: any bytes must decode or throw an ECError (scripts/fuzz.sh builds it).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? SafetensorsFile(decoding: Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz")
    return 0
}
