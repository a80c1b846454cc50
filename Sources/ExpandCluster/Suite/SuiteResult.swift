import ECCore
import Foundation

/// One problem at one ρ: a line of results.jsonl.
public struct SuiteResult: Sendable, Codable, Equatable {
    public let problem: String
    public let activation: Activation
    public let inputs: Int
    public let hidden: Int
    public let seed: Int
    public let grade: Int
    public let rho: Double
    public let identified: Bool
    public let recoveredWidth: Int
    public let worstIncomingDegrees: Double
    public let medianIncomingDegrees: Double
    public let relativeMSE: Double
    /// The best expanded student's MSE / Var(y) on the probe set.
    public let bestStudentRelativeLoss: Double
    /// Wall seconds of the problem's identification, summed over the processes that resumed it.
    public let seconds: Double
    public let device: String
    /// The expanded student whose exact-fit reduction is the recovered network, when the
    /// clusters gave no exact network (`IdentifyReport.reducedStudent`); absent otherwise.
    public var reducedStudent: Int? = nil
}

/// Success rates of a finished (or partly finished) suite, by ρ and by activation, size and grade.
public struct SuiteSummary: Sendable, Codable, Equatable {
    public struct Rate: Sendable, Codable, Equatable {
        public let identified: Int
        public let total: Int
        public var fraction: Double { total > 0 ? Double(identified) / Double(total) : 0 }
    }

    public struct Row: Sendable, Codable, Equatable {
        public let label: String
        /// Keyed by ρ as written in the results ("1", "2", "4").
        public let rates: [String: Rate]
    }

    public let rhos: [Double]
    public let overall: Row
    public let byActivation: [Row]
    public let bySize: [Row]
    public let totalSeconds: [String: Double]

    public init(results: [SuiteResult]) {
        let rhos = Array(Set(results.map(\.rho))).sorted()
        self.rhos = rhos
        func row(_ label: String, _ subset: [SuiteResult]) -> Row {
            Row(label: label, rates: Dictionary(uniqueKeysWithValues: rhos.map { rho in
                let at = subset.filter { $0.rho == rho }
                return (Self.key(rho), Rate(identified: at.filter(\.identified).count, total: at.count))
            }))
        }
        overall = row("all", results)
        byActivation = ToySuite.activations.map { a in row(a.rawValue, results.filter { $0.activation == a }) }
        bySize = ToySuite.sizes.enumerated().map { i, size in
            row("d=\(size.0), r=\(size.1)", results.filter { $0.grade == i + 1 })
        }
        totalSeconds = Dictionary(uniqueKeysWithValues: rhos.map { rho in
            (Self.key(rho), results.filter { $0.rho == rho }.reduce(0) { $0 + $1.seconds })
        })
    }

    public static func key(_ rho: Double) -> String {
        rho == rho.rounded() ? String(Int(rho)) : String(rho)
    }

    /// A Markdown table: one row per activation and size, one column per ρ.
    public var markdown: String {
        let header = "| | " + rhos.map { "ρ = \(Self.key($0))" }.joined(separator: " | ") + " |"
        let rule = "|---|" + rhos.map { _ in "---|" }.joined()
        func line(_ row: Row) -> String {
            "| \(row.label) | " + rhos.map { rho -> String in
                guard let rate = row.rates[Self.key(rho)], rate.total > 0 else { return "–" }
                return String(format: "%d/%d (%.0f%%)", rate.identified, rate.total, 100 * rate.fraction)
            }.joined(separator: " | ") + " |"
        }
        let time = "| time | " + rhos.map { ProgressTime.format(totalSeconds[Self.key($0)] ?? 0) }.joined(separator: " | ") + " |"
        return ([header, rule, line(overall)] + byActivation.map(line) + bySize.map(line) + [time]).joined(separator: "\n")
    }
}

/// h:mm:ss for summaries.
enum ProgressTime {
    static func format(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}
