import Foundation
import Testing

/// A user's OPENBLAS_CORETYPE is the core `ec` runs on, and the device line names it.
struct BLASCoreTests {
    @Test func userCoreTypeIsRespectedAndNamed() async throws {
        // Sandybridge is never the automatic choice on a CPU with AVX2, and runs on any CPU with AVX.
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard flags.contains(" avx2 ") else { return }
        try await withScratchDirectory { directory in
            let outcome = try await expectSuccess(["bench", "--workload", "toy", "--epochs", "1", "--backend", "cpu"],
                                                  in: directory, environment: ["OPENBLAS_CORETYPE": "Sandybridge"])
            #expect(outcome.stdout.contains("[CPU (OpenBLAS Sandybridge, "), "\(outcome.stdout)")
        }
    }
}
