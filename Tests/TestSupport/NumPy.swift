import ECCore
import Foundation

/// Reference results from NumPy and SciPy: a script runs with the given matrices bound as float64
/// arrays and sets `out`, which comes back flattened (row-major). Values travel as shortest
/// round-trip decimals, so nothing is lost either way. The interop tests fail, not skip, when
/// python3 with numpy and scipy is missing; nothing is installed.
public enum NumPy {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `script` (top-level Python lines) with each of `inputs` bound to its name.
    public static func evaluate(_ script: String, _ inputs: [String: Matrix<Double>] = [:]) throws -> [Double] {
        let data = "{" + inputs.map { name, m in
            "\"\(name)\": {\"r\": \(m.rows), \"c\": \(m.columns), \"s\": [\(m.scalars.map { "\($0)" }.joined(separator: ","))]}"
        }.joined(separator: ", ") + "}"
        let program = """
        import sys, json, warnings
        import numpy as np, scipy.linalg, scipy.optimize
        for _name, _v in json.loads(sys.argv[1]).items():
            globals()[_name] = np.array(_v['s'], dtype=np.float64).reshape(_v['r'], _v['c'])
        \(script)
        print(json.dumps(np.asarray(out, dtype=np.float64).ravel().tolist()))
        """
        let outcome = try Python.run(program, arguments: [data])
        let last = outcome.output.split(separator: "\n").last.map(String.init) ?? ""
        guard outcome.status == 0, let values = try? JSONDecoder().decode([Double].self, from: Data(last.utf8)) else {
            throw Failure(description: "python3 with numpy and scipy failed: \(outcome.output.suffix(500))")
        }
        return values
    }
}
