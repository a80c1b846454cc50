import Foundation
import COpenCL

/// One of OpenCL's `clGet*Info` functions with its object and parameter already bound:
/// `(bytes available, destination, bytes needed) -> status`.
typealias InfoQuery = (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int

/// Reads an info value of any OpenCL object as an array of `Element`: one call for its size, one
/// for its bytes. Every `clGet*Info` function shares this protocol, so one helper serves them all.
func info<Element: BitwiseCopyable>(_ call: String, as _: Element.Type = Element.self,
                                    _ query: InfoQuery) throws(OpenCLError) -> [Element] {
    var size = 0
    try check(query(0, nil, &size), call)
    let count = size / MemoryLayout<Element>.stride
    guard count > 0 else { return [] }
    var status = cl_int(CL_SUCCESS)
    let values = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
        status = query(count * MemoryLayout<Element>.stride, buffer.baseAddress, nil)
        initialized = status == CL_SUCCESS ? count : 0
    }
    try check(status, call)
    return values
}

/// A single-valued info parameter (`cl_uint`, `cl_ulong`, `size_t`, a bitfield, a handle).
func infoValue<Value: BitwiseCopyable>(_ call: String, as type: Value.Type = Value.self,
                                       _ query: InfoQuery) throws(OpenCLError) -> Value {
    guard let value = try info(call, as: type, query).first else {
        throw .callFailed(call: call, status: CL_INVALID_VALUE, detail: "empty answer")
    }
    return value
}

/// A string info parameter, without its terminating NUL and the padding some drivers add.
func infoString(_ call: String, _ query: InfoQuery) throws(OpenCLError) -> String {
    let bytes = try info(call, as: UInt8.self, query)
    return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        .trimmingCharacters(in: .whitespaces)
}
