import ECEngine
import Foundation
import TestSupport

/// The OpenCL devices and the one context the runtime tests share. Sharing the context shares
/// its program cache, so each kernel variant compiles once for the whole suite (PoCL takes about
/// half a second per compile). Static lets are initialised once, thread-safely, on first use.
enum TestOpenCL {
    static let devices: Result<[OpenCLDevice], any Error> = Result {
        try preparePoCL()
        return try OpenCLDevice.all()
    }

    /// A context on the device `ec` would choose here (honouring EC_OPENCL_DEVICE), with
    /// profiling so that timed launches can be tested too.
    static let context: Result<OpenCLContext, any Error> = Result {
        _ = try devices.get()
        return try OpenCLContext(device: OpenCLDevice.select(nil, requireFloat64: true), profiling: true)
    }
}
