import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The toy suite: its 150 problems and their selection, the success rates of its summary, and a
/// suite directory that resumes without redoing finished problems.
struct ToySuiteTests {
    @Test func oneProblemPerActivationSizeAndSeedWithTeachersSeededByName() throws {
        let problems = ToySuite.problems
        #expect(problems.count == 150)
        #expect(Set(problems.map(\.name)).count == 150)
        let hardest = try #require(problems.last)
        #expect(hardest.name == "relu-d8-r16-s5" && hardest.grade == 6)
        #expect(problems.first?.name == "g-d2-r2-s1" && problems.first?.grade == 1)
        let again = try problems[7].teacher(), same = try problems[7].teacher(), other = try problems[8].teacher()
        #expect(again.layers[0].weight.scalars == same.layers[0].weight.scalars)
        #expect(again.layers[0].weight.scalars != other.layers[0].weight.scalars, "seeds differ by name")
        #expect(again.hiddenWidths == [problems[7].hidden] && again.layers[0].inputs == problems[7].inputs)
    }

    @Test func selectorsPickByPatternAndByIndex() throws {
        #expect(try ToySuite.select("tanh-*").map(\.activation) == Array(repeating: .tanh, count: 30))
        #expect(try ToySuite.select("*-d8-r16-*").allSatisfy { $0.grade == 6 })
        #expect(try ToySuite.select("*-d8-r16-*").count == 25)
        #expect(try ToySuite.select("0-9") == Array(ToySuite.problems[0...9]))
        #expect(try ToySuite.select("42") == [ToySuite.problems[42]])
        #expect(try ToySuite.select("g-d2-r2-s1, 0, 1") == Array(ToySuite.problems[0...1]), "each problem once, in suite order")
        #expect(try ToySuite.select(nil).count == 150)
        for bad in ["150", "5-3", "tanh-d3-*", "nope"] {
            #expect(throws: ECError.self, "\(bad)") { try ToySuite.select(bad) }
        }
    }

    /// Identified and total of a rate.
    static func counts(_ rate: SuiteSummary.Rate?) -> [Int] { rate.map { [$0.identified, $0.total] } ?? [] }

    @Test func summaryCountsEachRhoByActivationAndSize() throws {
        let summary = SuiteSummary(results: try SuitePicturesTests.results())
        #expect(summary.rhos == [1, 4])
        #expect(Self.counts(summary.overall.rates["1"]) == [2, 6])
        #expect(Self.counts(summary.overall.rates["4"]) == [5, 6])
        let tanh = try #require(summary.byActivation.first { $0.label == "tanh" })
        #expect(Self.counts(tanh.rates["1"]) == [2, 4])
        let relu = try #require(summary.byActivation.first { $0.label == "relu" })
        #expect(Self.counts(relu.rates["4"]) == [1, 2])
        #expect(Self.counts(summary.bySize[0].rates["1"]) == [1, 2], "grade 1: tanh yes, relu no")
        #expect(Self.counts(summary.bySize[4].rates["4"]) == [0, 0])
        #expect(summary.totalSeconds == ["1": 60, "4": 60])
        #expect(summary.markdown.contains("| all | 2/6 (33%) | 5/6 (83%) |"))
        #expect(summary.markdown.contains("| sigmoid | – | – |"), "no results: a dash, not 0%")
    }

    @Test func aSuiteContinuesWithoutRedoingFinishedProblems() throws {
        let directory = try makeTemporaryDirectory("ec-suite")
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = SuiteSettings(students: 4, samples: 300, epochs: 50)
        let problems = try ToySuite.select("tanh-d2-r2-s1")
        var solved = [String]()
        _ = try SuiteRunner(directory: directory, settings: settings)
            .run(problems: problems, rhos: [1], progress: { _ in }) { solved.append($0.problem) }
        #expect(solved == ["tanh-d2-r2-s1"])
        // A line torn by a kill is skipped, and the finished problem is not solved again.
        let results = directory.appendingPathComponent("results.jsonl")
        let handle = try FileHandle(forWritingTo: results)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"problem\":\"tanh-d2".utf8))
        try handle.close()
        let runner = try SuiteRunner(directory: directory, settings: settings)
        let summary = try runner.run(problems: problems, rhos: [1], progress: { _ in }) { solved.append($0.problem) }
        #expect(solved.count == 1)
        #expect(runner.results().map(\.problem) == ["tanh-d2-r2-s1"])
        #expect(summary.overall.rates["1"]?.total == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["results.jsonl", "runs", "settings.json", "success-by-rho.svg", "summary.json", "summary.md",
                          "worst-angles.svg"])
        // Other settings would mix two experiments in one table.
        #expect(throws: ECError.self) {
            try SuiteRunner(directory: directory, settings: SuiteSettings(students: 5, samples: 300, epochs: 50))
        }
    }

    @Test func aSuiteRateReachesEachProblemAndAnOlderDirectoryStillContinues() throws {
        let problem = try #require(try ToySuite.select("g-d2-r2-s1").first)
        let plain = SuiteSettings(students: 4, samples: 300, epochs: 50)
        let faster = SuiteSettings(students: 4, samples: 300, epochs: 50, learningRate: 3e-3)
        #expect(faster.options(for: problem, rho: 4).expansion.learningRate == 3e-3)
        #expect(plain.options(for: problem, rho: 4).expansion.learningRate
                == IdentifyOptions(activation: .g, hiddenLayers: 1, referenceWidths: [2]).expansion.learningRate)

        let directory = try makeTemporaryDirectory("ec-suite")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SuiteRunner(directory: directory, settings: faster)
        let settingsURL = directory.appendingPathComponent("settings.json")
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: settingsURL)) as? [String: Any])
        #expect(saved["learningRate"] as? Double == 3e-3)
        #expect(throws: ECError.self) { try SuiteRunner(directory: directory, settings: plain) }

        // A settings.json written before the rate existed continues with identify's default.
        var older = saved
        older["learningRate"] = nil
        try JSONSerialization.data(withJSONObject: older).write(to: settingsURL)
        _ = try SuiteRunner(directory: directory, settings: plain)
        #expect(throws: ECError.self) { try SuiteRunner(directory: directory, settings: faster) }
    }
}
