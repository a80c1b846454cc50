import Foundation
import Testing

/// The README's first command, `ec identify` with no arguments: the built-in demo identifies its
/// toy teacher end to end, choosing ρ by pilot runs, and leaves its files in ./ec-demo. It takes
/// half a minute alone, a few on a loaded 2-core machine: not for the quick subset.
struct DemoTests {
    @Test(.timeLimit(.minutes(9)))
    func bareIdentifyRunsTheDemo() async throws {
        try await withScratchDirectory { directory in
            let outcome = try await ECProcess.run(["identify"], in: directory, timeout: 480)
            #expect(!outcome.signaled && outcome.status == 0, "ec identify exited \(outcome.status); stderr: \(outcome.stderr)")
            #expect(outcome.stdout.contains("identified: yes"), "stdout: \(outcome.stdout)")
            let demo = directory.appendingPathComponent("ec-demo")
            for file in ["report.json", "recovered.safetensors", "teacher.safetensors", "probe.npz"] {
                #expect(FileManager.default.fileExists(atPath: demo.appendingPathComponent(file).path), "no ec-demo/\(file)")
            }
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("report.json")))
                as? [String: Any]
            // The chosen ρ is the first pilot rung where 3 of the 4 pilots reached the floor.
            let pilots = report?["pilots"] as? [[String: Any]] ?? []
            let passed = pilots.first { pilot in
                let reached = pilot["reachedFloor"] as? Int ?? 0, count = (pilot["relativeLosses"] as? [Any])?.count ?? 0
                return count > 0 && 4 * reached >= 3 * count
            }
            #expect(passed != nil && report?["rho"] as? Double == passed?["rho"] as? Double,
                    "ρ \(String(describing: report?["rho"])) from pilots \(pilots)")
            #expect((passed?["rho"] as? Double) == (pilots.last?["rho"] as? Double), "pilots went on after the chosen ρ")
        }
    }
}
