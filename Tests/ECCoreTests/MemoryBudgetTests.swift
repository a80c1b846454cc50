import ECCore
import Testing

struct MemoryBudgetTests {
    @Test func acceptsWhatFitsAndNamesTheRequestOtherwise() throws {
        let gib = UInt64(1 << 30)
        try MemoryBudget.require([[1 << 20, 64], [16]], bytesEach: 8, for: "small", available: gib)
        let large = #expect(throws: ECError.self) {
            try MemoryBudget.require([[1 << 20, 256]], bytesEach: 8, for: "--samples 1048576 with 256 inputs", available: gib)
        }
        #expect(large?.description == "--samples 1048576 with 256 inputs needs 2.0 GiB of memory; this machine has 1.0 GiB")
        let overflowing = #expect(throws: ECError.self) {
            try MemoryBudget.require([[Int.max, 3]], bytesEach: 8, for: "--samples \(Int.max)", available: gib)
        }
        #expect(overflowing?.description.contains("more than 8 EiB") == true)
    }
}
