import ECCore
import Testing

struct ECErrorTests {
    @Test func contextGoesBeforeTheMessageUnlessTheErrorNamesItsFile() {
        let context = "comparing r.safetensors with t.safetensors"
        #expect(ECError.shapeMismatch("3 → 1 vs 5 → 1").inContext(context).description == "\(context): 3 → 1 vs 5 → 1")
        #expect(ECError.device("no device").inContext("--device 'x'") == .device("--device 'x': no device"))
        let file = ECError.invalidFile(path: "t.safetensors", problem: "truncated")
        #expect(file.inContext(context) == file)
    }
}
