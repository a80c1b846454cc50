import Foundation

extension SVGChart {
    /// The picture as a standalone SVG document.
    ///
    /// Elements carry classes a program can find: `plot-area` (the frame of each panel's plot,
    /// whose x, y, width and height are the pixel box the axes map onto), `series` (one group per
    /// series, holding `line`, `bar` and `marker` elements), `reference`, `legend`, `no-data` and
    /// `note` (how many values were left out).
    public var svg: String {
        let style = ChartStyle.standard
        var body = [String]()
        var top = style.padding
        if let title {
            body.append(SVGMarkup.element("text", ["class": "chart-title", "x": width / 2, "y": top + 16,
                                                   "text-anchor": "middle", "font-size": 15, "font-weight": "bold"],
                                          text: title))
            top += 30
        }
        if panels.isEmpty {
            body.append(SVGMarkup.element("text", ["class": "no-data", "x": width / 2, "y": top + 40,
                                                   "text-anchor": "middle", "font-size": 14, "fill": "#888888"],
                                          text: "no data"))
            top += 80
        }
        // Every panel gets the same left and right margins, so that stacked plots line up.
        let yAxes = panels.map { FittedAxis($0.y, values: $0.axisValues(along: .y),
                                            tickCount: Int($0.plotHeight / style.yTickSpacing)) }
        let widestYTick = yAxes.flatMap(\.ticks).map { SVGMarkup.estimatedWidth($0.label, fontSize: style.tickFontSize) }.max() ?? 0
        // A legend of short names goes beside the plots; a wide one would squeeze them, so it
        // goes below each plot instead.
        let legendColumn = panels.flatMap(\.series).compactMap(\.name)
            .map { style.legendEntryWidth($0) + 14 }.max() ?? 0
        let legendBeside = legendColumn <= width * 0.3
        let left = style.padding + style.axisLabelRoom + widestYTick + style.tickLength + 4
        let right = width - style.padding - (legendBeside ? legendColumn : 0)
        for (index, panel) in panels.enumerated() {
            let plotWidth = max(right - left, 40)
            let x = FittedAxis(panel.x, values: panel.axisValues(along: .x), tickCount: Int(plotWidth / style.xTickSpacing))
            let renderer = PanelRenderer(panel: panel, index: index, x: x, y: yAxes[index], style: style,
                                         titleTop: top, left: left, plotWidth: plotWidth, legendBeside: legendBeside)
            let drawn = renderer.draw()
            body.append(drawn.markup)
            top = drawn.bottom + style.panelGap
        }
        let height = top - style.panelGap + style.padding
        let header = SVGMarkup.openingTag("svg", ["xmlns": "http://www.w3.org/2000/svg", "width": width, "height": height,
                                                  "viewBox": "0 0 \(width.svgText) \(height.svgText)",
                                                  "font-family": "DejaVu Sans, Helvetica, Arial, sans-serif",
                                                  "font-size": style.fontSize])
        return header + "\n"
            + SVGMarkup.element("rect", ["width": width, "height": height, "fill": "white"]) + "\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }
}

/// Sizes and colours shared by every chart.
struct ChartStyle {
    let padding = 12.0
    let fontSize = 12.0
    let tickFontSize = 11.0
    let tickLength = 5.0
    /// Room for the rotated y-axis label.
    let axisLabelRoom = 20.0
    /// About one labelled tick per this many pixels.
    let xTickSpacing = 90.0
    let yTickSpacing = 40.0
    let panelGap = 18.0
    let legendSwatch = 22.0
    let legendRow = 18.0
    let markerRadius = 3.5
    /// Colours for series that do not name one (matplotlib's "tab10", distinguishable and familiar).
    let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static let standard = ChartStyle()

    /// Swatch, gap and name of one legend entry.
    func legendEntryWidth(_ name: String) -> Double {
        legendSwatch + 6 + SVGMarkup.estimatedWidth(name, fontSize: fontSize)
    }
}

enum ChartDirection { case x, y }

extension ChartPanel {
    /// What the panel draws along one axis, in that axis's units: the points that can be
    /// placed, room for the outer bars, reference lines at that axis, and the zero that bars
    /// stand on.
    func axisValues(along direction: ChartDirection) -> [Double] {
        let axis = direction == .x ? x : y
        var values = [Double]()
        for s in series {
            let placed = zip(s.x, s.y).filter { FittedAxis.axisUnits($0.0, x.scale) != nil && FittedAxis.axisUnits($0.1, y.scale) != nil }
            values += placed.compactMap { FittedAxis.axisUnits(direction == .x ? $0.0 : $0.1, axis.scale) }
        }
        if series.contains(where: { $0.style == .bars }) {
            if direction == .y, axis.scale == .linear { values.append(0) }
            if direction == .x, let positions = barPositions, let first = positions.first, let last = positions.last {
                values += [first - barSpacing / 2, last + barSpacing / 2]
            }
        }
        let orientation: ReferenceLine.Orientation = direction == .x ? .vertical : .horizontal
        values += references.filter { $0.orientation == orientation }.compactMap { FittedAxis.axisUnits($0.value, axis.scale) }
        return values
    }

    /// The distinct x positions of all bars, in axis units, increasing; nil when there are none.
    var barPositions: [Double]? {
        let positions = series.filter { $0.style == .bars }.flatMap { s in
            zip(s.x, s.y).filter { FittedAxis.axisUnits($0.1, y.scale) != nil }.compactMap { FittedAxis.axisUnits($0.0, x.scale) }
        }
        return positions.isEmpty ? nil : Array(Set(positions)).sorted()
    }

    /// The smallest gap between neighbouring bars in x axis units (1 for a single bar), so that
    /// bars of all series share one width and never overlap.
    var barSpacing: Double {
        guard let positions = barPositions, positions.count > 1 else { return 1 }
        return zip(positions, positions.dropFirst()).map { $1 - $0 }.min()!
    }
}
