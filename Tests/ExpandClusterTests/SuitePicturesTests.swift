import ExpandCluster
import Foundation
import Testing
import TestSupport

/// The suite's pictures show what its results say: one point per ρ on each success line at the
/// measured share, one marker per problem and ρ at its worst angle, failures as crosses.
struct SuitePicturesTests {
    /// A results.jsonl line (the type's initialiser is the library's own, as a suite writes it).
    static func result(_ activation: String, grade: Int, seed: Int, rho: Double, identified: Bool,
                       worst: Double) throws -> SuiteResult {
        let sizes = [(2, 2), (2, 4), (4, 4), (4, 8), (8, 8), (8, 16)]
        let (d, r) = sizes[grade - 1]
        let json: [String: Any] = [
            "problem": "\(activation)-d\(d)-r\(r)-s\(seed)", "activation": activation, "inputs": d, "hidden": r,
            "seed": seed, "grade": grade, "rho": rho, "identified": identified, "recoveredWidth": r,
            "worstIncomingDegrees": worst, "medianIncomingDegrees": worst / 2, "relativeMSE": 1e-20,
            "bestStudentRelativeLoss": 1e-12, "seconds": 10, "device": "test",
        ]
        return try JSONDecoder().decode(SuiteResult.self, from: JSONSerialization.data(withJSONObject: json))
    }

    /// tanh: 2 of 4 identified at ρ = 1, 4 of 4 at ρ = 4; relu: 0 of 2 at ρ = 1, 1 of 2 at ρ = 4.
    /// Overall 2 of 6 at ρ = 1 and 5 of 6 at ρ = 4.
    static func results() throws -> [SuiteResult] {
        try [
            result("tanh", grade: 1, seed: 1, rho: 1, identified: true, worst: 1e-6),
            result("tanh", grade: 2, seed: 1, rho: 1, identified: true, worst: 0),
            result("tanh", grade: 3, seed: 1, rho: 1, identified: false, worst: 30),
            result("tanh", grade: 6, seed: 2, rho: 1, identified: false, worst: 90),
            result("relu", grade: 1, seed: 1, rho: 1, identified: false, worst: 5),
            result("relu", grade: 4, seed: 5, rho: 1, identified: false, worst: 12),
        ] + [
            result("tanh", grade: 1, seed: 1, rho: 4, identified: true, worst: 1e-8),
            result("tanh", grade: 2, seed: 1, rho: 4, identified: true, worst: 1e-7),
            result("tanh", grade: 3, seed: 1, rho: 4, identified: true, worst: 1e-9),
            result("tanh", grade: 6, seed: 2, rho: 4, identified: true, worst: 2e-9),
            result("relu", grade: 1, seed: 1, rho: 4, identified: true, worst: 1e-9),
            result("relu", grade: 4, seed: 5, rho: 4, identified: false, worst: 2),
        ]
    }

    static func document(_ chart: SVGChart) throws -> SVGDocument { try SVGDocument(chart.svg) }

    @Test func successLinesPassThroughTheMeasuredShares() throws {
        let document = try Self.document(SuitePictures(results: try Self.results()).successByRho)
        let legend = document.elements("text", inside: "legend-entry").map(\.text)
        #expect(legend == ["tanh (4 problems)", "relu (2 problems)", "all (6 problems)"])
        let plot = document.plotArea()
        // The heavy line of the whole suite is drawn last; its circles mark 2/6 at ρ = 1 and 5/6
        // at ρ = 4, on an axis from 0.5 to 4.5 and from 0% to 100%.
        let circles = document.elements("circle", inside: "series").suffix(2)
        let expected = [(1.0, 2.0 / 6), (4.0, 5.0 / 6)]
        for (circle, (rho, share)) in zip(circles, expected) {
            #expect(abs(circle.number("cx") - (plot.x + plot.width * (rho - 0.5) / 4)) < 0.01)
            #expect(abs(circle.number("cy") - (plot.y + plot.height * (1 - share))) < 0.01)
        }
        #expect(document.elements("text", inside: "reference").map(\.text) == ["paper, ρ = 4: 80%"])
    }

    @Test func everyProblemAndRhoHasAMarkerAtItsWorstAngle() throws {
        let document = try Self.document(SuitePictures(results: try Self.results()).worstAngles)
        #expect(document.elements(ofClass: "panel").count == 2, "one panel per activation present")
        let titles = document.elements(ofClass: "panel-title").map(\.text)
        #expect(titles == ["tanh: 6 of 8 identified", "relu: 1 of 4 identified"])
        let markers = document.elements(ofClass: "marker").filter { $0.enclosingClasses.contains("series") }
        #expect(markers.filter { $0.name == "circle" }.count == 7, "identified problems")
        #expect(markers.filter { $0.name == "path" && $0.attributes["fill"] == "none" }.count == 5, "failures as crosses")
        #expect(document.elements(ofClass: "note").isEmpty, "every value drawn, 0° included")
        // tanh's exact 0° sits on the bottom edge; its axis then reaches a decade below 1e-9°.
        let plot = document.plotArea(0)
        let bottomEdge = document.elements("circle", inside: "series").filter { abs($0.number("cy") - (plot.y + plot.height)) < 0.01 }
        #expect(bottomEdge.count == 1)
        let legend = document.elements("text", inside: "legend-entry").map(\.text)
        #expect(legend.prefix(3) == ["ρ = 1: 2 identified", "ρ = 1: 2 not", "ρ = 4: 4 identified"])
    }

    @Test func suiteDirectoryGetsBothPictures() throws {
        let directory = try makeTemporaryDirectory("ec-suite-pictures")
        defer { try? FileManager.default.removeItem(at: directory) }
        try SuitePictures(results: try Self.results()).write(to: directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["success-by-rho.svg", "worst-angles.svg"])
    }

    @Test func noResultsYetStillGivesPictures() throws {
        let pictures = SuitePictures(results: [])
        #expect(try Self.document(pictures.successByRho).elements(ofClass: "no-data").count == 1)
        #expect(try Self.document(pictures.worstAngles).elements(ofClass: "panel").isEmpty)
    }
}
