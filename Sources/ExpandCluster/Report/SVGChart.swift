/// A chart drawn as a standalone SVG document: one or more panels stacked top to bottom, each
/// a plot area with its own axes, series, reference lines and legend.
///
/// Building the picture is pure string work with no dependencies, and the same chart always
/// gives the same bytes, so pictures can be diffed and tested. Values that cannot be drawn
/// (NaN, ±∞, ≤ 0 on a log axis, outside a fixed axis range) are left out and counted in a
/// note under the panel rather than breaking the document.
public struct SVGChart: Sendable {
    /// Shown above the first panel.
    public var title: String?
    /// Stacked top to bottom; none gives a picture that says "no data".
    public var panels: [ChartPanel]
    /// Width of the whole picture in pixels; panels share it and line up their plot areas.
    public var width: Double

    /// A chart of `panels` under `title`, `width` pixels wide.
    public init(title: String? = nil, panels: [ChartPanel], width: Double = 760) {
        self.title = title
        self.panels = panels
        self.width = width
    }
}

/// One plot area of a chart with its axes and what is drawn in it.
public struct ChartPanel: Sendable {
    /// Shown above the plot, left-aligned with it.
    public var title: String?
    /// The horizontal axis.
    public var x: ChartAxis
    /// The vertical axis.
    public var y: ChartAxis
    /// Drawn in order, later ones on top; colours not given come from the palette by position.
    public var series: [ChartSeries]
    /// Dashed lines across the plot, drawn over the series.
    public var references: [ReferenceLine]
    /// Height of the plot area in pixels (titles, ticks and labels come on top of it).
    public var plotHeight: Double

    /// A panel; the plot area is `plotHeight` pixels high and as wide as the chart allows.
    public init(title: String? = nil, x: ChartAxis, y: ChartAxis, series: [ChartSeries] = [],
                references: [ReferenceLine] = [], plotHeight: Double = 260) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.references = references
        self.plotHeight = plotHeight
    }
}

/// How an axis maps values to positions and how it is labelled.
public struct ChartAxis: Sendable {
    /// How values map to positions along the axis.
    public enum Scale: Sendable, Equatable {
        /// Equal distances for equal differences.
        case linear
        /// Equal distances for equal ratios; only positive values can be placed.
        case log10
    }

    /// Written along the axis.
    public var label: String
    /// Linear unless told otherwise.
    public var scale: Scale
    /// The values at the two ends of the axis; nil fits the axis to what is drawn (linear axes
    /// widen to round tick values, log axes get a small margin).
    public var range: ClosedRange<Double>?
    /// Ticks only at whole numbers (indices, counts).
    public var integerTicks: Bool

    /// An axis labelled `label`; see the properties for the rest.
    public init(_ label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil, integerTicks: Bool = false) {
        self.label = label
        self.scale = scale
        self.range = range
        self.integerTicks = integerTicks
    }
}

/// A sequence of (x, y) values and the way to draw them.
public struct ChartSeries: Sendable {
    /// How the values are drawn.
    public enum Style: Sendable, Equatable {
        /// Straight segments between consecutive points; an undrawable point breaks the line.
        case line
        /// Each value holds until the next point's x (the last one to the right edge).
        case steps
        /// Markers only.
        case points
        /// Vertical bars from the bottom of the plot (or from 0 on a linear axis) to each value.
        case bars
    }

    /// The shape drawn at a point (a cross has no fill, so it reads apart from the others).
    public enum Marker: Sendable, Equatable {
        case circle, square, triangle, cross
    }

    /// The legend entry; nil leaves the series out of the legend.
    public var name: String?
    /// The points' coordinates, as many x values as y values.
    public var x: [Double]
    public var y: [Double]
    /// Line, steps, points or bars.
    public var style: Style
    /// Any SVG colour; nil takes the next colour of the chart's palette.
    public var color: String?
    /// Stroke width of lines and steps in pixels.
    public var lineWidth: Double
    /// 0 to 1; below 1 lets many overlapping series (one per student) read as a band.
    public var opacity: Double
    /// The marker of `.points` (a circle when nil); on lines and steps, drawn at every point.
    public var marker: Marker?

    /// A series of the points (x[i], y[i]).
    /// - Precondition: `x` and `y` have the same number of values.
    public init(name: String? = nil, x: [Double], y: [Double], style: Style = .line, color: String? = nil,
                lineWidth: Double = 1.5, opacity: Double = 1, marker: Marker? = nil) {
        precondition(x.count == y.count, "a chart series needs as many x values (\(x.count)) as y values (\(y.count))")
        self.name = name
        self.x = x
        self.y = y
        self.style = style
        self.color = color
        self.lineWidth = lineWidth
        self.opacity = opacity
        self.marker = marker
    }
}

/// A dashed line across the whole plot at one value, with a label next to it (a threshold,
/// a chosen cut).
public struct ReferenceLine: Sendable {
    /// Which way the line runs.
    public enum Orientation: Sendable, Equatable {
        /// At a y value.
        case horizontal
        /// At an x value.
        case vertical
    }

    /// Horizontal (at a y value) or vertical (at an x value).
    public var orientation: Orientation
    /// Where the line is, on the y axis for a horizontal line, on the x axis for a vertical one.
    public var value: Double
    /// Written next to the line, inside the plot.
    public var label: String
    /// Any SVG colour, for the line and its label.
    public var color: String

    /// A reference line at `value`.
    public init(_ orientation: Orientation, at value: Double, label: String, color: String = "#444444") {
        self.orientation = orientation
        self.value = value
        self.label = label
        self.color = color
    }
}
