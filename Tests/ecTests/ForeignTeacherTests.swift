import Foundation
import TestSupport
import Testing

/// A teacher that another program trained and saved (NumPy's gradient descent, the reference
/// safetensors writer, float32) is probed and identified by the plain command like one of ours.
struct ForeignTeacherTests {
    /// Fits a 3-4-1 tanh network to y = sin(x₀) + x₁·x₂ by full-batch gradient descent with
    /// momentum, and writes it as `layers.{i}.weight` / `layers.{i}.bias` in float32.
    static let trainer = """
        import sys, numpy as np
        from safetensors.numpy import save_file
        rng = np.random.default_rng(7)
        x = rng.standard_normal((2000, 3))
        y = (np.sin(x[:, 0]) + x[:, 1] * x[:, 2])[:, None]
        w1, b1 = rng.standard_normal((4, 3)), rng.standard_normal(4) * 0.1
        w2, b2 = rng.standard_normal((1, 4)) * 0.5, np.zeros(1)
        params = [w1, b1, w2, b2]
        velocity = [np.zeros_like(p) for p in params]
        for step in range(3000):
            h = np.tanh(x @ w1.T + b1)
            err = (h @ w2.T + b2 - y) / len(x)
            dh = (err @ w2) * (1 - h * h)
            grads = [dh.T @ x, dh.sum(0), err.T @ h, err.sum(0)]
            for p, v, g in zip(params, velocity, grads):
                v *= 0.9
                v -= 0.05 * g
                p += v
        save_file({f'layers.{i}.{kind}': params[2 * i + k].astype('<f4')
                   for i in range(2) for k, kind in enumerate(['weight', 'bias'])},
                  sys.argv[1], metadata={'activation': 'tanh', 'trained by': 'numpy'})
        """

    @Test(.timeLimit(.minutes(3)))
    func aNumPyTrainedTeacherIsIdentified() async throws {
        if let reason = Python.requireModules(["numpy", "safetensors"]) { Issue.record(Comment(rawValue: reason)); return }
        try await withScratchDirectory { directory in
            let teacher = directory.appendingPathComponent("numpy.safetensors").path
            let trained = try Python.run(Self.trainer, arguments: [teacher])
            try #require(trained.status == 0, Comment(rawValue: trained.output))
            _ = try await expectSuccess(["probe", "--teacher", teacher, "--samples", "2000", "--output", "p.npz"], in: directory)
            let outcome = try await expectSuccess(["identify", "--probe", "p.npz", "--activation", "tanh", "--teacher", teacher,
                                                   "--rho", "4", "--students", "6", "--epochs", "1500", "--backend", "cpu", "--output", "run", "--json"],
                                                  in: directory)
            let report = parseJSON(outcome.stdout) as? [String: Any]
            let comparison = report?["comparison"] as? [String: Any]
            #expect(comparison?["identified"] as? Bool == true, "\(comparison ?? [:])")
            #expect(report?["recoveredWidths"] as? [Int] == [4])
        }
    }
}
