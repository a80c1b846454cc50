import ECCore
import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The pictures of a run show what its report says: one line per student, one bar per cluster,
/// one marker per teacher neuron, the cut and the thresholds.
struct IdentifyPicturesTests {
    /// A report as report.json would hold it: three students, one hidden layer clustered into
    /// five clusters (three kept), and, when `compared`, a comparison with a teacher of four
    /// neurons of which the recovered network lacks one.
    static func report(compared: Bool) throws -> IdentifyReport {
        let cluster = { (students: Int, kept: Bool, reason: String?) -> [String: Any] in
            var summary: [String: Any] = ["members": students + 1, "students": students, "medianCosineDistance": 1e-4,
                                          "representative": ["student": 0, "neuron": 0], "kept": kept]
            summary["dropReason"] = reason
            return summary
        }
        let layer: [String: Any] = [
            "layer": 0, "candidateNeurons": 24, "negligibleNeurons": 2, "minimumStudents": 2,
            "cutHeight": 0.05, "cutDegrees": VectorAngle(chord: 0.05).degrees,
            "profile": [[0, 0], [0.001, 2], [0.01, 3], [0.3, 1]],
            "clusters": [cluster(3, true, nil), cluster(2, true, nil), cluster(3, true, nil),
                         cluster(1, false, "too few students"), cluster(2, false, "too loose")],
            "recoveredWidth": 3, "pruned": [Int](), "cutCandidates": [[Double]](),
        ]
        return try report(layers: [layer], epochs: [1, 2, 10, 100],
                          relativeLosses: [[1, 0.1, 1e-4, 1e-6], [1, 0.2, 1e-5, 1e-9], [1, 0.5, 1e-3, 1e-4]],
                          comparison: compared ? try comparisonWithOneNeuronMissing() : nil)
    }

    /// A report decoded from JSON (its initialisers are the library's own), with `layers` as
    /// report.json spells them.
    static func report(layers: [[String: Any]], epochs: [Int], relativeLosses: [[Double]],
                       comparison: NetworkComparison?) throws -> IdentifyReport {
        let options = IdentifyOptions(activation: .tanh, hiddenLayers: 1, referenceWidths: [4])
        var json: [String: Any] = [
            "options": try JSONSerialization.jsonObject(with: JSONEncoder().encode(options)), "recipe": options.recipeDescription,
            "rho": 2, "pilots": [Any](), "studentWidths": [8], "studentRelativeLosses": relativeLosses.compactMap(\.last),
            "expansionEpochs": epochs.last ?? 0, "layers": layers, "recoveredWidths": layers.map { $0["recoveredWidth"]! },
            "finalRelativeLoss": 1e-8, "finalEpochs": 10, "phaseSeconds": [String: Double](), "device": "test",
            "lossCurves": ["epochs": epochs, "relativeLosses": relativeLosses],
        ]
        if let comparison {
            json["comparison"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(comparison))
        }
        return try JSONDecoder().decode(IdentifyReport.self, from: JSONSerialization.data(withJSONObject: json))
    }

    /// A teacher of four neurons against a slightly perturbed copy of itself without its
    /// neuron 2 (perturbed so that every angle is positive and has a place on a log axis).
    static func comparisonWithOneNeuronMissing() throws -> NetworkComparison {
        let teacher = try Network<Double>.toyTeacher(inputs: 3, hiddenWidths: [4], activation: .tanh, seed: 5)
        let kept = [0, 1, 3]
        let hidden = teacher.layers[0], output = teacher.layers[1]
        let nudge = { (value: Double, k: Int) in value * (1 + 1e-3 * Double(k + 1)) }
        let recovered = try Network(activation: .tanh, layers: [
            DenseLayer(weight: Matrix(rowArrays: kept.map { i in (0..<3).map { nudge(hidden.weight[i, $0], i + $0) } }),
                       bias: kept.map { hidden.bias[$0] }),
            DenseLayer(weight: Matrix(rowArrays: [kept.enumerated().map { nudge(output.weight[0, $1], $0) }]), bias: output.bias),
        ])
        return try NetworkComparison(teacher: teacher, recovered: recovered, freshInputs: randomMatrix(200, 3, seed: 6))
    }

    static func document(_ pictures: IdentifyPictures, _ fileName: String) throws -> SVGDocument {
        let chart = try #require(pictures.charts.first { $0.fileName == fileName }?.chart, "no \(fileName)")
        return try SVGDocument(chart.svg)
    }

    /// Where a marker's path begins ("Mx y …").
    static func pathStart(_ marker: SVGDocument.Element) -> (x: Double, y: Double) {
        let numbers = (marker.attributes["d"] ?? "").dropFirst().split(separator: " ").prefix(2).map { Double($0) ?? .nan }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : (.nan, .nan)
    }

    @Test func oneFilePerPictureAndAlignmentOnlyWithATeacher() throws {
        #expect(IdentifyPictures(report: try Self.report(compared: true)).charts.map(\.fileName)
                == ["loss-curves.svg", "clusters-layer1.svg", "alignment.svg"])
        #expect(IdentifyPictures(report: try Self.report(compared: false)).charts.map(\.fileName)
                == ["loss-curves.svg", "clusters-layer1.svg"])
    }

    @Test func lossCurvesHighlightTheStudentThatEndsLowest() throws {
        let document = try Self.document(IdentifyPictures(report: try Self.report(compared: false)), "loss-curves.svg")
        let lines = document.elements(ofClass: "line")
        #expect(lines.count == 3)
        #expect(lines.filter { $0.attributes["stroke"] == "#d62728" }.count == 1)
        #expect(lines.last?.attributes["stroke"] == "#d62728", "the best student is drawn on top")
        let legend = document.elements("text", inside: "legend-entry").map(\.text)
        #expect(legend == ["students (3)", "best: student 1, 1e-9"])
    }

    @Test func clusterPictureShowsTheProfileTheCutAndEveryCluster() throws {
        let report = try Self.report(compared: false)
        let document = try Self.document(IdentifyPictures(report: report), "clusters-layer1.svg")
        #expect(document.elements(ofClass: "panel").count == 2)
        #expect(document.elements(ofClass: "line").count == 1, "one step line for the profile")
        let bars = document.elements(ofClass: "bar")
        #expect(bars.count == report.layers[0].clusters.count)
        #expect(bars.filter { $0.attributes["fill"] == "#1f77b4" }.count == 3, "kept clusters in the kept colour")
        let references = document.elements("text", inside: "reference").map(\.text)
        #expect(references == ["cut 2.87°", "⌊γN⌋ = 2"])
        // The ⌊γN⌋ line runs level with the top of a two-student bar (the second cluster).
        let threshold = try #require(document.elements("line", inside: "reference").last)
        #expect(abs(threshold.number("y1") - bars[1].number("y")) < 0.01)
        // The zero-height step cannot sit on the log axis of angles.
        #expect(document.elements(ofClass: "note").first?.text.hasPrefix("1 value not drawn") == true)
        let legend = document.elements("text", inside: "legend-entry").map(\.text)
        #expect(legend == ["kept (3)", "dropped (too few students: 1, too loose: 1)"])
    }

    @Test func alignmentShowsEveryTeacherNeuronAndTheMissingOne() throws {
        let report = try Self.report(compared: true)
        let document = try Self.document(IdentifyPictures(report: report), "alignment.svg")
        let markers = document.elements(ofClass: "marker").filter { $0.enclosingClasses.contains("series") }
        let incoming = markers.filter { $0.name == "circle" }
        let outgoing = markers.filter { $0.name == "path" && $0.attributes["fill"] != "none" }
        let crosses = markers.filter { $0.name == "path" && $0.attributes["fill"] == "none" }
        #expect(incoming.count == 3, "incoming angle of each matched neuron")
        #expect(outgoing.count == 3, "outgoing angle of each matched neuron")
        #expect(crosses.count == 1, "the missing neuron")
        let plot = document.plotArea()
        // Missing neurons sit at the top of the axis (180°), at their teacher index (2 of 0…3);
        // a cross's path starts at its upper left corner, 3.5 px from its centre.
        let missing = try Self.pathStart(#require(crosses.first))
        #expect(abs(missing.x + 3.5 - (plot.x + plot.width * 2.5 / 4)) < 0.01)
        #expect(abs(missing.y + 3.5 - plot.y) < 0.01)
        // A single output leaves every outgoing angle at exactly 0°: on the bottom edge (a
        // triangle's path starts at its apex, 4.2 px above its centre).
        #expect(outgoing.allSatisfy { abs(Self.pathStart($0).y + 4.2 - (plot.y + plot.height)) < 0.01 })
        let legend = document.elements("text", inside: "legend-entry").map(\.text)
        #expect(legend == ["incoming weights", "outgoing weights (0° on the bottom edge)", "missing (1)"])
        #expect(document.elements(ofClass: "note").isEmpty, "every value drawn")
        #expect(document.elements("text", inside: "reference").map(\.text) == ["1° identification threshold"])
        let title = try #require(document.elements(ofClass: "chart-title").first?.text)
        #expect(title.contains("r̂/r = 3/4") && title.contains("not identified"), "title: \(title)")
        let panelTitle = try #require(document.elements(ofClass: "panel-title").first?.text)
        #expect(panelTitle.hasPrefix("Hidden layer 1: r̂ = 3, r = 4"), "panel title: \(panelTitle)")
    }

    @Test func writesEveryPictureIntoTheDirectory() throws {
        let directory = try makeTemporaryDirectory("ec-pictures")
        defer { try? FileManager.default.removeItem(at: directory) }
        try IdentifyPictures(report: try Self.report(compared: true)).write(to: directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["alignment.svg", "clusters-layer1.svg", "loss-curves.svg"], "no temporary files left: \(files)")
        for file in files {
            _ = try SVGDocument(String(decoding: try Data(contentsOf: directory.appendingPathComponent(file)), as: UTF8.self))
        }
    }

    @Test func aReportWithNothingInItStillGivesPictures() throws {
        let emptyLayer: [String: Any] = [
            "layer": 0, "candidateNeurons": 0, "negligibleNeurons": 0, "minimumStudents": 1,
            "profile": [[Double]](), "clusters": [Any](), "recoveredWidth": 0, "pruned": [Int](), "cutCandidates": [[Double]](),
        ]
        let pictures = IdentifyPictures(report: try Self.report(layers: [emptyLayer], epochs: [], relativeLosses: [],
                                                                comparison: nil))
        #expect(try Self.document(pictures, "loss-curves.svg").elements(ofClass: "no-data").count == 1)
        #expect(try Self.document(pictures, "clusters-layer1.svg").elements(ofClass: "no-data").count == 2)
    }
}
