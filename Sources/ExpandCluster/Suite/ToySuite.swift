import ECCore
import Foundation

/// One toy problem of the suite: a teacher generated deterministically from its name.
public struct ToyProblem: Sendable, Codable, Equatable {
    public let activation: Activation
    public let inputs: Int
    public let hidden: Int
    public let seed: Int

    /// e.g. "tanh-d4-r8-s3".
    public var name: String { "\(activation.rawValue)-d\(inputs)-r\(hidden)-s\(seed)" }

    /// Difficulty grade 1…6, the index of (d, r) in `ToySuite.sizes`.
    public var grade: Int { (ToySuite.sizes.firstIndex { $0 == (inputs, hidden) } ?? -1) + 1 }

    public func teacher() throws -> Network<Double> {
        try Network.toyTeacher(inputs: inputs, hiddenWidths: [hidden], outputs: 1, activation: activation,
                               seed: RandomSource.seed(named: name))
    }
}

/// The paper's central experiment, rebuilt: 150 one-hidden-layer toy teachers of graded
/// difficulty, 5 activations (one per symmetry class, g for none) × 6 sizes from d = 2, r = 2 to
/// d = 8, r = 16 × 5 seeds.
public enum ToySuite {
    public static let activations: [Activation] = [.g, .tanh, .sigmoid, .softplus, .relu]
    public static let sizes: [(Int, Int)] = [(2, 2), (2, 4), (4, 4), (4, 8), (8, 8), (8, 16)]
    public static let seeds = 1...5

    public static let problems: [ToyProblem] = activations.flatMap { activation in
        sizes.flatMap { size in
            seeds.map { ToyProblem(activation: activation, inputs: size.0, hidden: size.1, seed: $0) }
        }
    }

    /// The problems a selector names: comma-separated parts, each a name pattern with `*`
    /// wildcards ("tanh-*", "*-d8-r16-*") or an index range into the list ("0-29", "42").
    public static func select(_ selector: String?) throws -> [ToyProblem] {
        guard let selector, !selector.isEmpty else { return problems }
        var chosen = Set<Int>()
        for part in selector.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0) }
            if bounds.count <= 2, bounds.allSatisfy({ $0 != nil }), let first = bounds.first! {
                let last = bounds.count == 2 ? bounds[1]! : first
                guard first >= 0, last < problems.count, first <= last else {
                    throw ECError.invalidArgument("--problems: range \(part) is outside 0-\(problems.count - 1)")
                }
                chosen.formUnion(first...last)
            } else {
                let matches = problems.indices.filter { matchesPattern(problems[$0].name, part) }
                guard !matches.isEmpty else {
                    throw ECError.invalidArgument("--problems: '\(part)' matches no problem (names look like tanh-d4-r8-s3)")
                }
                chosen.formUnion(matches)
            }
        }
        return chosen.sorted().map { problems[$0] }
    }

    /// Glob match with `*` only.
    static func matchesPattern(_ name: String, _ pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return name == pattern }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}
