import Foundation

/// Draws one panel of a chart into a given box of the picture: frame, grid, ticks, series,
/// reference lines, legend and axis labels.
struct PanelRenderer {
    let panel: ChartPanel
    /// Position among the chart's panels; keeps clip-path ids unique within the document.
    let index: Int
    let x: FittedAxis
    let y: FittedAxis
    let style: ChartStyle
    /// Top of the panel (its title, if any, comes first).
    let titleTop: Double
    let left: Double
    let plotWidth: Double
    /// The legend in a column right of the plot, or else in rows below it.
    let legendBeside: Bool

    var plotTop: Double { titleTop + (panel.title == nil ? 6 : 24) }
    var plotBottom: Double { plotTop + panel.plotHeight }
    var right: Double { left + plotWidth }
    var clipID: String { "plot-clip-\(index)" }

    /// What the panel draws and where the next panel may start.
    func draw() -> (markup: String, bottom: Double) {
        var parts = [String]()
        if let title = panel.title {
            parts.append(SVGMarkup.element("text", ["class": "panel-title", "x": left, "y": titleTop + 15,
                                                    "font-size": 13, "font-weight": "bold"], text: title))
        }
        parts.append("<defs><clipPath id=\"\(clipID)\">"
                     + SVGMarkup.element("rect", ["x": left, "y": plotTop, "width": plotWidth, "height": panel.plotHeight])
                     + "</clipPath></defs>")
        parts.append(SVGMarkup.element("rect", ["class": "plot-area", "x": left, "y": plotTop, "width": plotWidth,
                                                "height": panel.plotHeight, "fill": "white", "stroke": "#999999"]))
        parts += [xTicks(), yTicks()]
        var skipped = 0, drawn = 0
        for (i, series) in panel.series.enumerated() {
            let result = draw(series, color: color(of: series, at: i))
            parts.append(result.markup)
            skipped += result.skipped
            drawn += series.x.count - result.skipped
        }
        for reference in panel.references {
            if let markup = draw(reference) { parts.append(markup) } else { skipped += 1 }
        }
        parts += axisLabels()
        if drawn == 0 {
            parts.append(SVGMarkup.element("text", ["class": "no-data", "x": left + plotWidth / 2,
                                                    "y": plotTop + panel.plotHeight / 2, "text-anchor": "middle",
                                                    "font-size": 14, "fill": "#888888"], text: "no data"))
        }
        var bottom = plotBottom + 40
        if skipped > 0 {
            let values = skipped == 1 ? "1 value" : "\(skipped) values"
            parts.append(SVGMarkup.element("text", ["class": "note", "x": left, "y": plotBottom + 52, "font-size": 11,
                                                    "fill": "#aa3333"],
                                           text: "\(values) not drawn (not finite, ≤ 0 on a log axis, or off the axes)"))
            bottom += 16
        }
        let legend = legendEntries(below: bottom)
        if !legend.entries.isEmpty { parts.append(SVGMarkup.group(["class": "legend"], legend.entries)) }
        bottom = max(bottom, legend.bottom)
        return (SVGMarkup.group(["class": "panel"], parts), bottom)
    }

    /// The series' own colour, or the palette's for its position in the panel.
    private func color(of series: ChartSeries, at index: Int) -> String {
        series.color ?? style.palette[index % style.palette.count]
    }

    // MARK: Positions

    func pixelX(_ value: Double) -> Double? {
        x.fraction(value).map(pixelX(fraction:))
    }

    func pixelY(_ value: Double) -> Double? {
        y.fraction(value).map(pixelY(fraction:))
    }

    func pixelX(fraction: Double) -> Double { left + Self.bounded(fraction) * plotWidth }

    func pixelY(fraction: Double) -> Double { plotBottom - Self.bounded(fraction) * panel.plotHeight }

    /// Keeps far-off values (clipped anyway) from turning into absurdly long numbers.
    private static func bounded(_ fraction: Double) -> Double { min(max(fraction, -1e4), 1e4) }

    /// Whether a value at this fraction of an axis is on it (with rounding slack).
    private static func onAxis(_ fraction: Double?) -> Bool {
        fraction.map { $0 >= -1e-9 && $0 <= 1 + 1e-9 } ?? false
    }

    // MARK: Axes

    private func xTicks() -> String {
        let elements = x.ticks.flatMap { tick -> [String] in
            let px = pixelX(fraction: x.fraction(ofPosition: tick.position))
            return [SVGMarkup.element("line", ["x1": px, "y1": plotTop, "x2": px, "y2": plotBottom, "stroke": "#e8e8e8"]),
                    SVGMarkup.element("line", ["x1": px, "y1": plotBottom, "x2": px, "y2": plotBottom + style.tickLength,
                                               "stroke": "#999999"]),
                    SVGMarkup.element("text", ["x": px, "y": plotBottom + 17, "text-anchor": "middle",
                                               "font-size": style.tickFontSize], text: tick.label)]
        }
        return SVGMarkup.group(["class": "x-ticks"], elements)
    }

    private func yTicks() -> String {
        let elements = y.ticks.flatMap { tick -> [String] in
            let py = pixelY(fraction: y.fraction(ofPosition: tick.position))
            return [SVGMarkup.element("line", ["x1": left, "y1": py, "x2": right, "y2": py, "stroke": "#e8e8e8"]),
                    SVGMarkup.element("line", ["x1": left - style.tickLength, "y1": py, "x2": left, "y2": py,
                                               "stroke": "#999999"]),
                    SVGMarkup.element("text", ["x": left - style.tickLength - 3, "y": py + 4, "text-anchor": "end",
                                               "font-size": style.tickFontSize], text: tick.label)]
        }
        return SVGMarkup.group(["class": "y-ticks"], elements)
    }

    private func axisLabels() -> [String] {
        let middle = plotTop + panel.plotHeight / 2, labelX = style.padding + 10
        return [SVGMarkup.element("text", ["class": "x-label", "x": left + plotWidth / 2, "y": plotBottom + 35,
                                           "text-anchor": "middle"], text: panel.x.label),
                SVGMarkup.element("text", ["class": "y-label", "x": labelX, "y": middle, "text-anchor": "middle",
                                           "transform": "rotate(-90 \(labelX.svgText) \(middle.svgText))"],
                                  text: panel.y.label)]
    }

    // MARK: Series

    /// The series' markup and how many of its points could not be drawn.
    private func draw(_ series: ChartSeries, color: String) -> (markup: String, skipped: Int) {
        var elements = [String](), skipped = 0
        switch series.style {
        case .line, .steps:
            let path = series.style == .line ? linePath(series) : stepPath(series)
            skipped = path.skipped
            if !path.d.isEmpty {
                elements.append(SVGMarkup.element("path", ["class": "line", "d": path.d, "fill": "none", "stroke": color,
                                                           "stroke-width": series.lineWidth, "stroke-linejoin": "round",
                                                           "clip-path": "url(#\(clipID))"]))
            }
            if let marker = series.marker {
                elements += zip(series.x, series.y).compactMap { markerElement(marker, at: $0, color: color) }
            }
        case .points:
            for point in zip(series.x, series.y) {
                if let element = markerElement(series.marker ?? .circle, at: point, color: color) {
                    elements.append(element)
                } else {
                    skipped += 1
                }
            }
        case .bars:
            let bars = barElements(series, color: color)
            elements = bars.elements
            skipped = bars.skipped
        }
        return (SVGMarkup.group(["class": "series", "opacity": series.opacity], elements), skipped)
    }

    /// Straight segments; a point that cannot be placed ends one polyline and the next point
    /// starts another, so no line is drawn across a gap.
    private func linePath(_ series: ChartSeries) -> (d: String, skipped: Int) {
        var commands = [String](), skipped = 0, penDown = false
        for (value, level) in zip(series.x, series.y) {
            guard let px = pixelX(value), let py = pixelY(level) else {
                skipped += 1
                penDown = false
                continue
            }
            commands.append(Self.pathData([(penDown ? "L" : "M", px, py)]))
            penDown = true
        }
        return (commands.joined(separator: " "), skipped)
    }

    /// Each value held until the next point's x; the last one to the right edge.
    private func stepPath(_ series: ChartSeries) -> (d: String, skipped: Int) {
        var commands = [String](), skipped = 0
        // Whether the pen stands at this point's x at the previous point's level.
        var penAtStep = false
        for i in series.x.indices {
            guard let px = pixelX(series.x[i]), let py = pixelY(series.y[i]) else {
                skipped += 1
                penAtStep = false
                continue
            }
            commands.append(penAtStep ? "V\(py.svgText)" : Self.pathData([("M", px, py)]))
            let holdUntil = i + 1 < series.x.count ? pixelX(series.x[i + 1]) : right
            if let holdUntil { commands.append("H\(holdUntil.svgText)") }
            penAtStep = holdUntil != nil
        }
        return (commands.joined(separator: " "), skipped)
    }

    /// A marker at a point on the axes; nil when the point cannot be placed or is off them.
    private func markerElement(_ marker: ChartSeries.Marker, at point: (Double, Double), color: String) -> String? {
        guard Self.onAxis(x.fraction(point.0)), Self.onAxis(y.fraction(point.1)),
              let cx = pixelX(point.0), let cy = pixelY(point.1) else { return nil }
        return Self.marker(marker, cx: cx, cy: cy, radius: style.markerRadius, color: color)
    }

    static func marker(_ marker: ChartSeries.Marker, cx: Double, cy: Double, radius r: Double, color: String) -> String {
        switch marker {
        case .circle:
            return SVGMarkup.element("circle", ["class": "marker", "cx": cx, "cy": cy, "r": r, "fill": color])
        case .square:
            return SVGMarkup.element("rect", ["class": "marker", "x": cx - r, "y": cy - r, "width": 2 * r, "height": 2 * r,
                                              "fill": color])
        case .triangle:
            let d = pathData([("M", cx, cy - r * 1.2), ("L", cx + r * 1.1, cy + r * 0.8), ("L", cx - r * 1.1, cy + r * 0.8)]) + " Z"
            return SVGMarkup.element("path", ["class": "marker", "d": d, "fill": color])
        case .cross:
            let d = pathData([("M", cx - r, cy - r), ("L", cx + r, cy + r), ("M", cx - r, cy + r), ("L", cx + r, cy - r)])
            return SVGMarkup.element("path", ["class": "marker", "d": d, "fill": "none", "stroke": color, "stroke-width": 2])
        }
    }

    /// Path data "M x y L x y …" from (command, x, y) steps.
    static func pathData(_ steps: [(command: String, x: Double, y: Double)]) -> String {
        steps.map { "\($0.command)\($0.x.svgText) \($0.y.svgText)" }.joined(separator: " ")
    }

    /// Bars of one shared width standing on the bottom of the plot (on 0 for a linear y axis);
    /// bars taller than the plot are cut at its edge.
    private func barElements(_ series: ChartSeries, color: String) -> (elements: [String], skipped: Int) {
        let barWidth = min(max(0.8 * panel.barSpacing * plotWidth / (x.high - x.low), 1), 60)
        let base = pixelY(fraction: y.scale == .linear ? min(max(y.fraction(0)!, 0), 1) : 0)
        var elements = [String](), skipped = 0
        for (position, level) in zip(series.x, series.y) {
            guard Self.onAxis(x.fraction(position)), let px = pixelX(position), let fraction = y.fraction(level) else {
                skipped += 1
                continue
            }
            let top = pixelY(fraction: min(max(fraction, 0), 1))
            elements.append(SVGMarkup.element("rect", ["class": "bar", "x": px - barWidth / 2, "y": min(top, base),
                                                       "width": barWidth, "height": abs(base - top), "fill": color]))
        }
        return (elements, skipped)
    }

    // MARK: Reference lines and legend

    /// The dashed line and its label; nil when the value is not on the axis.
    private func draw(_ reference: ReferenceLine) -> String? {
        let line: String, labelX: Double, labelY: Double, anchor: String
        switch reference.orientation {
        case .horizontal:
            guard Self.onAxis(y.fraction(reference.value)), let py = pixelY(reference.value) else { return nil }
            line = SVGMarkup.element("line", ["x1": left, "y1": py, "x2": right, "y2": py, "stroke": reference.color,
                                              "stroke-width": 1.2, "stroke-dasharray": "6 4"])
            // At the right end, above the line unless that would leave the plot.
            (labelX, labelY, anchor) = (right - 4, py - 5 < plotTop + 12 ? py + 14 : py - 5, "end")
        case .vertical:
            guard Self.onAxis(x.fraction(reference.value)), let px = pixelX(reference.value) else { return nil }
            line = SVGMarkup.element("line", ["x1": px, "y1": plotTop, "x2": px, "y2": plotBottom, "stroke": reference.color,
                                              "stroke-width": 1.2, "stroke-dasharray": "6 4"])
            // Beside the line's top, on the side with more room.
            let onRight = px < left + 0.7 * plotWidth
            (labelX, labelY, anchor) = (onRight ? px + 5 : px - 5, plotTop + 14, onRight ? "start" : "end")
        }
        // A white halo keeps the label readable over grid lines and data.
        let label = SVGMarkup.element("text", ["x": labelX, "y": labelY, "text-anchor": anchor, "font-size": 11,
                                               "fill": reference.color, "stroke": "white", "stroke-width": 3,
                                               "paint-order": "stroke"], text: reference.label)
        return SVGMarkup.group(["class": "reference"], [line, label])
    }

    /// One entry per named series, outside the plot so that it never covers data: in a column
    /// beside it, or flowing in rows from `top` down; and where the entries end.
    private func legendEntries(below top: Double) -> (entries: [String], bottom: Double) {
        let named = panel.series.enumerated().filter { $0.element.name != nil }
        var positions = [(x: Double, y: Double)]()
        var rowY = legendBeside ? plotTop + 10 : top + 10, rowX = left
        for (_, series) in named {
            if legendBeside {
                positions.append((right + 14, rowY))
                rowY += style.legendRow
            } else {
                let width = style.legendEntryWidth(series.name!) + 18
                if rowX > left && rowX + width > right {
                    rowX = left
                    rowY += style.legendRow
                }
                positions.append((rowX, rowY))
                rowX += width
            }
        }
        let entries = zip(named, positions).map { entry, position in
            let (i, series) = entry
            let (x0, rowY) = position
            let color = self.color(of: series, at: i)
            var swatch = [String]()
            switch series.style {
            case .line, .steps:
                swatch.append(SVGMarkup.element("line", ["x1": x0, "y1": rowY, "x2": x0 + style.legendSwatch, "y2": rowY,
                                                         "stroke": color, "stroke-width": max(series.lineWidth, 1.5)]))
                if let marker = series.marker {
                    swatch.append(Self.marker(marker, cx: x0 + style.legendSwatch / 2, cy: rowY, radius: style.markerRadius, color: color))
                }
            case .points:
                swatch.append(Self.marker(series.marker ?? .circle, cx: x0 + style.legendSwatch / 2, cy: rowY,
                                          radius: style.markerRadius, color: color))
            case .bars:
                swatch.append(SVGMarkup.element("rect", ["x": x0 + 4, "y": rowY - 5, "width": 14, "height": 10, "fill": color]))
            }
            let text = SVGMarkup.element("text", ["x": x0 + style.legendSwatch + 6, "y": rowY + 4], text: series.name!)
            return SVGMarkup.group(["class": "legend-entry"], [SVGMarkup.group(["opacity": series.opacity], swatch), text])
        }
        return (entries, (positions.last?.y ?? top) + 10)
    }
}
