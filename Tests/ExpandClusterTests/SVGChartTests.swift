import ExpandCluster
import Foundation
import Testing

/// The chart builder must give valid SVG whatever the data, and put values where the axes say.
struct SVGChartTests {
    static func markers(_ document: SVGDocument) -> [SVGDocument.Element] {
        document.elements(ofClass: "marker").filter { $0.enclosingClasses.contains("series") }
    }

    @Test func everyKindOfSeriesReferenceAndLegendEntryIsDrawn() throws {
        let top = ChartPanel(
            title: "lines",
            x: ChartAxis("x"), y: ChartAxis("y", scale: .log10),
            series: [ChartSeries(name: "line", x: [1, 2, 3], y: [1, 10, 100]),
                     ChartSeries(name: "steps", x: [1, 2, 3], y: [3, 2, 1], style: .steps),
                     ChartSeries(x: [1.5, 2.5], y: [5, 50], style: .points, marker: .square)],
            references: [ReferenceLine(.horizontal, at: 20, label: "threshold"),
                         ReferenceLine(.vertical, at: 2, label: "cut")])
        let bottom = ChartPanel(
            x: ChartAxis("index", integerTicks: true), y: ChartAxis("count"),
            series: [ChartSeries(name: "kept", x: [1, 2, 4], y: [9, 8, 5], style: .bars),
                     ChartSeries(name: "dropped", x: [3, 5], y: [6, 1], style: .bars)],
            references: [ReferenceLine(.horizontal, at: 4, label: "⌊γN⌋ = 4")])
        let document = try SVGDocument(SVGChart(title: "two panels", panels: [top, bottom]).svg)

        #expect(document.elements.first?.name == "svg")
        #expect(document.elements(ofClass: "panel").count == 2)
        #expect(document.elements(ofClass: "plot-area").count == 2)
        #expect(document.elements(ofClass: "series").count == 5)
        #expect(document.elements(ofClass: "line").count == 2)
        #expect(document.elements(ofClass: "bar").count == 5)
        #expect(Self.markers(document).count == 2)
        #expect(document.elements(ofClass: "reference").count == 3)
        #expect(document.elements(ofClass: "legend-entry").count == 4, "unnamed series stay out of the legend")
        #expect(document.elements(ofClass: "no-data").isEmpty)
        #expect(document.elements(ofClass: "note").isEmpty)
        let labels = document.elements.filter { $0.name == "text" }.map(\.text)
        for label in ["two panels", "lines", "threshold", "cut", "⌊γN⌋ = 4", "kept", "dropped", "index", "count"] {
            #expect(labels.contains(label), "missing text \(label)")
        }
    }

    @Test func logAxesPlaceValuesAtTheirDecades() throws {
        let xs = [1e-3, 0.1, 10, 0.02], ys = [1e-2, 1, 100, 3]
        let panel = ChartPanel(x: ChartAxis("x", scale: .log10, range: 1e-3...10),
                               y: ChartAxis("y", scale: .log10, range: 1e-2...100),
                               series: [ChartSeries(x: xs, y: ys, style: .points)])
        let document = try SVGDocument(SVGChart(panels: [panel]).svg)
        let plot = document.plotArea()
        let markers = Self.markers(document)
        try #require(markers.count == 4)
        for (marker, (x, y)) in zip(markers, zip(xs, ys)) {
            // x: four decades across the width; y: four decades up from the bottom.
            let expectedX = plot.x + plot.width * (log10(x) + 3) / 4
            let expectedY = plot.y + plot.height - plot.height * (log10(y) + 2) / 4
            #expect(abs(marker.number("cx") - expectedX) < 0.01, "x \(x): \(marker.number("cx")) vs \(expectedX)")
            #expect(abs(marker.number("cy") - expectedY) < 0.01, "y \(y): \(marker.number("cy")) vs \(expectedY)")
        }
        #expect(document.elements("text", inside: "x-ticks").map(\.text) == ["0.001", "0.01", "0.1", "1", "10"])
        #expect(document.elements("text", inside: "y-ticks").map(\.text) == ["0.01", "0.1", "1", "10", "100"])
    }

    @Test func wideLogAxesThinTheirDecadesAndUseExponents() throws {
        // Seven decades on a 260 px axis (about 5 ticks): every second decade, as 1e-k.
        let panel = ChartPanel(x: ChartAxis("x"), y: ChartAxis("y", scale: .log10, range: 1e-8...1e-2),
                               series: [ChartSeries(x: [0, 1], y: [1e-6, 1e-3])])
        let document = try SVGDocument(SVGChart(panels: [panel]).svg)
        #expect(document.elements("text", inside: "y-ticks").map(\.text) == ["1e-8", "1e-6", "1e-4", "1e-2"])
    }

    @Test func fittedLinearAxesEndOnRoundTicks() throws {
        let panel = ChartPanel(x: ChartAxis("x"), y: ChartAxis("y"), series: [ChartSeries(x: [0.3, 7.2], y: [-0.12, 0.87])])
        let document = try SVGDocument(SVGChart(panels: [panel]).svg)
        let xTicks = document.elements("text", inside: "x-ticks").map(\.text)
        let yTicks = document.elements("text", inside: "y-ticks").map(\.text)
        #expect(xTicks.first == "0" && xTicks.last == "8", "x ticks \(xTicks)")
        #expect(yTicks == ["-0.2", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], "y ticks \(yTicks)")
        // The first point lies 0.3 / 8 of the way across and (−0.12 + 0.2) / 1.2 of the way up.
        let plot = document.plotArea()
        let path = try #require(document.elements(ofClass: "line").first?.attributes["d"])
        let start = path.dropFirst().split(separator: " ").prefix(2).compactMap { Double($0) }
        #expect(abs(start[0] - (plot.x + plot.width * 0.3 / 8)) < 0.01)
        #expect(abs(start[1] - (plot.y + plot.height * (1 - 0.08 / 1.2))) < 0.01)
    }

    @Test func barsStandOnZeroAndShareOneWidth() throws {
        let panel = ChartPanel(x: ChartAxis("x", range: 0...12), y: ChartAxis("y", range: -10...10),
                               series: [ChartSeries(x: [1, 2], y: [5, -10], style: .bars),
                                        ChartSeries(x: [3], y: [20], style: .bars)])
        let document = try SVGDocument(SVGChart(panels: [panel]).svg)
        let plot = document.plotArea()
        let bars = document.elements(ofClass: "bar")
        try #require(bars.count == 3)
        // Neighbours one apart: 80 % of one twelfth of the plot each.
        let width = 0.8 * plot.width / 12, zero = plot.y + plot.height / 2
        for (bar, x) in zip(bars, [1.0, 2, 3]) {
            #expect(abs(bar.number("width") - width) < 0.01)
            #expect(abs(bar.number("x") - (plot.x + plot.width * x / 12 - width / 2)) < 0.01)
        }
        // 5 rises a quarter of the plot from zero; −10 hangs to the bottom; 20 is cut at the top.
        #expect(abs(bars[0].number("y") - (zero - plot.height / 4)) < 0.01 && abs(bars[0].number("height") - plot.height / 4) < 0.01)
        #expect(abs(bars[1].number("y") - zero) < 0.01 && abs(bars[1].number("height") - plot.height / 2) < 0.01)
        #expect(abs(bars[2].number("y") - plot.y) < 0.01 && abs(bars[2].number("height") - plot.height / 2) < 0.01)
    }

    @Test func valuesALogAxisCannotPlaceAreLeftOutAndCounted() throws {
        let ys = [1, .nan, .infinity, -1, 0, 10, 100.0]
        let panel = ChartPanel(x: ChartAxis("x", scale: .log10), y: ChartAxis("y", scale: .log10),
                               series: [ChartSeries(x: [1, 2, 3, 4, 5, 6, 7], y: ys),
                                        ChartSeries(x: [1, 2, 3, 4, 5, 6, 7], y: ys, style: .points),
                                        ChartSeries(x: [1, 2, 3, 4, 5, 6, 7], y: ys, style: .steps)],
                               references: [ReferenceLine(.horizontal, at: -3, label: "below zero")])
        let svg = SVGChart(panels: [panel]).svg
        let document = try SVGDocument(svg)
        // The line breaks at the gap rather than bridging it: two pieces, of one and two points.
        let lines = document.elements(ofClass: "line").compactMap { $0.attributes["d"] }
        try #require(lines.count == 2)
        #expect(lines[0].filter { $0 == "M" }.count == 2 && lines[0].filter { $0 == "L" }.count == 1, "line \(lines[0])")
        #expect(Self.markers(document).count == 3)
        #expect(document.elements(ofClass: "reference").isEmpty)
        let note = try #require(document.elements(ofClass: "note").first?.text)
        #expect(note.hasPrefix("13 values not drawn"), "note: \(note)")
        for element in document.elements {
            for (name, value) in element.attributes {
                #expect(!value.lowercased().contains("nan") && !value.lowercased().contains("inf"), "\(name)=\(value)")
            }
        }
    }

    @Test func textIsEscaped() throws {
        let awkward = "a < b & \"c\" > 'd'"
        let panel = ChartPanel(title: awkward, x: ChartAxis("x & y"), y: ChartAxis("<y>"),
                               series: [ChartSeries(name: awkward, x: [1, 2], y: [1, 2])],
                               references: [ReferenceLine(.horizontal, at: 1.5, label: "</text>")])
        let svg = SVGChart(title: "bell \u{7} " + awkward, panels: [panel]).svg
        #expect(svg.contains("a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;"))
        let texts = try SVGDocument(svg).elements.filter { $0.name == "text" }.map(\.text)
        for text in ["bell  " + awkward, awkward, "x & y", "<y>", "</text>"] {
            #expect(texts.contains(text), "\(text) did not survive")
        }
    }

    @Test func emptyDataGivesAPictureThatSaysSo() throws {
        let noSeries = ChartPanel(title: "nothing", x: ChartAxis("x"), y: ChartAxis("y", scale: .log10))
        let onlyNaN = ChartPanel(x: ChartAxis("x", scale: .log10), y: ChartAxis("y"),
                                 series: [ChartSeries(name: "nan", x: [.nan, 0], y: [1, 2], style: .bars)])
        for chart in [SVGChart(panels: [noSeries, onlyNaN]), SVGChart(title: "no panels", panels: [])] {
            let document = try SVGDocument(chart.svg)
            #expect(document.elements(ofClass: "no-data").count == max(chart.panels.count, 1))
            #expect(document.elements(ofClass: "no-data").allSatisfy { $0.text == "no data" })
        }
    }
}
