import Foundation
import Testing
import TestSupport

/// Runs SciPy's `linkage(X, 'average')` and `fcluster(Z, t, 'distance')` in a Python subprocess,
/// as an independent reference for the clustering.
enum SciPyReference {
    struct Result: Decodable {
        /// The linkage matrix: rows [clusterA, clusterB, height, size].
        var linkage: [[Double]]
        /// fcluster labels for each requested cut height.
        var labels: [[Int]]
    }

    private struct Request: Encodable {
        var points: [[Double]]
        var cuts: [Double]
    }

    private static let script = """
        import json, sys
        import numpy as np
        from scipy.cluster.hierarchy import linkage, fcluster
        request = json.load(sys.stdin)
        Z = linkage(np.array(request["points"], dtype=np.float64), "average")
        labels = [fcluster(Z, t, "distance").tolist() for t in request["cuts"]]
        json.dump({"linkage": Z.tolist(), "labels": labels}, sys.stdout)
        """

    /// Nil when numpy and scipy import, otherwise what is missing and how to install it.
    static let unavailability: String? = Python.requireModules(["numpy", "scipy"])

    /// SciPy's average-linkage tree of `points` and its flat clusters at each height in `cuts`.
    static func averageLinkage(points: [[Double]], cuts: [Double]) throws -> Result {
        if let unavailability { throw ReferenceError(message: unavailability) }
        let input = try JSONEncoder().encode(Request(points: points, cuts: cuts))
        return try JSONDecoder().decode(Result.self, from: python(["-c", script], input: input))
    }

    struct ReferenceError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs python3 with `arguments`, feeding it `input`; its standard output, or an error with
    /// its standard error when it fails.
    private static func python(_ arguments: [String], input: Data = Data()) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write and read concurrently, so that neither side blocks on a full pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errors = DispatchQueue(label: "scipy-stderr")
        nonisolated(unsafe) var errorOutput = Data()
        errors.async { errorOutput = stderr.fileHandleForReading.readDataToEndOfFile() }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errors.sync {}
        guard process.terminationStatus == 0 else {
            throw ReferenceError(message: "python3 \(arguments.first ?? "") failed: "
                                 + (String(data: errorOutput, encoding: .utf8) ?? ""))
        }
        return output
    }
}
