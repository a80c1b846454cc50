import CBLAS
import ECBLASSetup
import ECCore
import Foundation
import Testing

/// ECBLASSetup: the core chosen from the CPU's features, the core OpenBLAS runs on after start-up,
/// a user's OPENBLAS_CORETYPE left alone, and one BLAS thread.
struct OpenBLASTests {
    static let avx2: UInt32 = UInt32(EC_CPU_AVX | EC_CPU_AVX2 | EC_CPU_FMA)
    static let avx512: UInt32 = avx2 | UInt32(EC_CPU_AVX512F | EC_CPU_AVX512CD | EC_CPU_AVX512BW | EC_CPU_AVX512DQ
        | EC_CPU_AVX512VL)

    static func preferred(_ features: UInt32, _ current: String) -> String? {
        ec_blas_preferred_core(features, current).map { String(cString: $0) }
    }

    @Test func featuresChooseTheCore() {
        #expect(Self.preferred(Self.avx512, "Prescott") == "SkylakeX")
        #expect(Self.preferred(Self.avx512, "Haswell") == "SkylakeX")
        #expect(Self.preferred(Self.avx512, "Zen") == "SkylakeX")
        #expect(Self.preferred(Self.avx2, "Prescott") == "Haswell")
        #expect(Self.preferred(Self.avx2, "Sandybridge") == "Haswell")
        #expect(Self.preferred(UInt32(EC_CPU_AVX), "Nehalem") == "Sandybridge")
        // AVX-512 without BW or VL (Knights Landing) is not enough for SkylakeX; AVX2 without FMA not for Haswell.
        #expect(Self.preferred(Self.avx2 | UInt32(EC_CPU_AVX512F | EC_CPU_AVX512CD), "Prescott") == "Haswell")
        #expect(Self.preferred(UInt32(EC_CPU_AVX | EC_CPU_AVX2), "Prescott") == "Sandybridge")
    }

    @Test func aCoreAsGoodAsTheFeaturesIsKept() {
        #expect(Self.preferred(Self.avx512, "SkylakeX") == nil)
        #expect(Self.preferred(Self.avx512, "cooperlake") == nil)
        #expect(Self.preferred(Self.avx2, "Zen") == nil)
        #expect(Self.preferred(Self.avx2, "Haswell") == nil)
        #expect(Self.preferred(0, "Prescott") == nil)
        #expect(Self.preferred(0, "Core2") == nil)
    }

    /// The CPU's flags as Linux reports them; empty elsewhere.
    static let cpuFlags: Set<Substring> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }))
    }()

    /// Without OPENBLAS_CORETYPE, this process (a test bundle, which links ECCore as `ec` does)
    /// runs on the core that /proc/cpuinfo's flags call for, never the SSE3 fallback.
    @Test func startUpChoseTheCoreTheCPUSupports() throws {
        try #require(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil)
        let flags = Self.cpuFlags
        guard flags.isSuperset(of: ["avx", "avx2", "fma"]) else { return }
        #expect(OpenBLAS.coreName != "Prescott")
        let avx512: Set<Substring> = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        let expected = flags.isSuperset(of: avx512) ? ["SkylakeX", "Cooperlake", "SapphireRapids"] : ["Haswell", "Zen"]
        #expect(expected.contains(OpenBLAS.coreName), "\(OpenBLAS.coreName)")
        #expect(ec_cpu_features() & Self.avx2 == Self.avx2)
    }

    @Test func oneBLASThread() {
        #expect(openblas_get_num_threads() == 1)
    }
}
