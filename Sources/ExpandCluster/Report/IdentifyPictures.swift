import Foundation

/// The pictures of an identification run, drawn from its report: what a person would rather
/// look at than read in report.json.
///
/// - loss-curves.svg: every student's MSE / Var(y) against epoch, the best one highlighted;
/// - clusters-layer{k}.svg for each hidden layer k (from 1): the number of big clusters against
///   the cut angle with the chosen cut, and the clusters of that cut, kept and dropped;
/// - alignment.svg, when the run was compared with a teacher: each teacher neuron's angles to
///   its recovered neuron, against the 1° identification threshold.
public struct IdentifyPictures: PictureSet, Sendable {
    /// What the pictures show.
    public let report: IdentifyReport

    /// The pictures of `report`; nothing is drawn until `charts` or `write(to:)` is asked for.
    public init(report: IdentifyReport) {
        self.report = report
    }

    /// Every picture with its file name, in the order they are written.
    public var charts: [(fileName: String, chart: SVGChart)] {
        var charts = [(fileName: "loss-curves.svg", chart: lossCurves)]
        charts += report.layers.map { (fileName: "clusters-layer\($0.layer + 1).svg", chart: clusters(of: $0)) }
        if let comparison = report.comparison {
            charts.append((fileName: "alignment.svg", chart: alignment(comparison)))
        }
        return charts
    }

    // Colours with one meaning across the pictures.
    private static let faint = "#6f8fb8"
    private static let highlight = "#d62728"
    private static let kept = "#1f77b4"
    private static let dropped = "#bbbbbb"
    private static let missing = "#d62728"

    /// Log-log, so that both the early plateaus and the final decades of loss show; one faint
    /// line per student, the one that ends lowest drawn on top in a strong colour.
    public var lossCurves: SVGChart {
        let curves = report.lossCurves
        let epochs = curves.epochs.map(Double.init)
        let finalLosses = curves.relativeLosses.map { $0.last(where: \.isFinite) ?? .infinity }
        let best = finalLosses.indices.min { finalLosses[$0] < finalLosses[$1] }
        var series = curves.relativeLosses.indices.filter { $0 != best }.enumerated().map { order, student in
            ChartSeries(name: order == 0 ? "students (\(curves.relativeLosses.count))" : nil, x: epochs,
                        y: curves.relativeLosses[student], color: Self.faint, lineWidth: 1, opacity: 0.6)
        }
        if let best {
            series.append(ChartSeries(name: "best: student \(best), \(compactLabel(finalLosses[best]))", x: epochs,
                                      y: curves.relativeLosses[best], color: Self.highlight, lineWidth: 2.2))
        }
        let panel = ChartPanel(x: ChartAxis("epoch", scale: .log10), y: ChartAxis("MSE / Var(y)", scale: .log10),
                               series: series, plotHeight: 320)
        return SVGChart(title: "Expansion: \(curves.relativeLosses.count) students, ρ = \(compactLabel(report.rho))",
                        panels: [panel])
    }

    /// Top: how many big clusters each cut leaves (the cut angle on a log axis, since merges
    /// within a teacher neuron's cluster happen decades below the merges between them), with
    /// the chosen cut. Bottom: the clusters of that cut as bars of how many students each
    /// holds, against the ⌊γN⌋ a kept cluster needs.
    public func clusters(of layer: LayerReport) -> SVGChart {
        let angles = layer.profile.map { VectorAngle(chord: $0[0]).degrees }
        let profile = ChartPanel(
            title: "Big clusters (neurons of ≥ ⌊γN⌋ = \(layer.minimumStudents) students) against the cut",
            x: ChartAxis("cut angle (degrees)", scale: .log10),
            y: ChartAxis("big clusters", integerTicks: true),
            series: [ChartSeries(x: angles, y: layer.profile.map { $0[1] }, style: .steps, color: Self.kept, lineWidth: 2)],
            references: layer.cutDegrees.map { [ReferenceLine(.vertical, at: $0, label: "cut \(compactLabel($0))°")] } ?? [])

        let indexed = layer.clusters.enumerated().map { (index: Double($0.offset + 1), cluster: $0.element) }
        let kept = indexed.filter(\.cluster.kept), dropped = indexed.filter { !$0.cluster.kept }
        var reasons = [String: Int]()
        for (_, cluster) in dropped { reasons[cluster.dropReason ?? "no reason given", default: 0] += 1 }
        let why = reasons.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        let bars = ChartPanel(
            title: "Clusters of the cut: \(kept.count) kept, \(dropped.count) dropped; r̂ = \(layer.recoveredWidth)",
            x: ChartAxis("cluster (biggest first)", integerTicks: true),
            y: ChartAxis("students per cluster", integerTicks: true),
            series: [ChartSeries(name: "kept (\(kept.count))", x: kept.map(\.index), y: kept.map { Double($0.cluster.students) },
                                 style: .bars, color: Self.kept),
                     ChartSeries(name: dropped.isEmpty ? "dropped (0)" : "dropped (\(why))", x: dropped.map(\.index),
                                 y: dropped.map { Double($0.cluster.students) }, style: .bars, color: Self.dropped)],
            references: [ReferenceLine(.horizontal, at: Double(layer.minimumStudents), label: "⌊γN⌋ = \(layer.minimumStudents)")])

        return SVGChart(title: "Hidden layer \(layer.layer + 1): \(layer.candidateNeurons) student neurons clustered, "
                        + "\(layer.negligibleNeurons) negligible left out", panels: [profile, bars])
    }

    /// One panel per hidden layer: each teacher neuron's incoming and outgoing angle to the
    /// recovered neuron matched to it, on a log axis up to 180° so that both 1e-6° and 30°
    /// read; teacher neurons without a recovered neuron as crosses at the top. Exact 0° (an
    /// outgoing vector of a single output always has it) sits on the bottom edge, a decade
    /// below the smallest positive angle.
    public func alignment(_ comparison: NetworkComparison) -> SVGChart {
        let panels = comparison.layers.map { layer -> ChartPanel in
            let matched = layer.matches.filter { $0.recovered != nil }
            let missing = layer.matches.filter { $0.recovered == nil }
            let bottom = ChartAxis.angleFloor(matched.flatMap { [$0.incomingDegrees, $0.outgoingDegrees] })
            let angleSeries = { (name: String, degrees: [Double], color: String, marker: ChartSeries.Marker) in
                ChartSeries(name: name + (degrees.contains(0) ? " (0° on the bottom edge)" : ""),
                            x: matched.map { Double($0.teacher) }, y: degrees.placingZeroAt(bottom),
                            style: .points, color: color, marker: marker)
            }
            var series = [angleSeries("incoming weights", matched.map(\.incomingDegrees), Self.kept, .circle),
                          angleSeries("outgoing weights", matched.map(\.outgoingDegrees), "#ff7f0e", .triangle)]
            if !missing.isEmpty {
                series.append(ChartSeries(name: "missing (\(missing.count))", x: missing.map { Double($0.teacher) },
                                          y: missing.map { _ in 180 }, style: .points, color: Self.missing, marker: .cross))
            }
            let excess = layer.excess.isEmpty ? "" : ", \(layer.excess.count) excess"
            return ChartPanel(
                title: "Hidden layer \(layer.layer + 1): r̂ = \(layer.recoveredWidth), r = \(layer.teacherWidth)\(excess); "
                    + "worst incoming \(compactLabel(layer.incoming.worstDegrees))°, outgoing \(compactLabel(layer.outgoing.worstDegrees))°",
                x: ChartAxis("teacher neuron", range: -0.5...(Double(max(layer.teacherWidth, 1)) - 0.5), integerTicks: true),
                y: ChartAxis("angle to recovered (degrees)", scale: .log10, range: bottom...180),
                series: series,
                references: [ReferenceLine(.horizontal, at: comparison.criteria.maximumIncomingDegrees,
                                           label: "\(compactLabel(comparison.criteria.maximumIncomingDegrees))° identification threshold"
                                               + (comparison.criteria.boundsWorstAngle ? "" : " (median)"))])
        }
        let widths = comparison.layers.map { "r̂/r = \($0.recoveredWidth)/\($0.teacherWidth)" }.joined(separator: ", ")
        let verdict = comparison.identified ? "identified" : "not identified"
        return SVGChart(title: "Recovered against teacher (\(widths)): \(verdict), fresh MSE / Var(y) \(compactLabel(comparison.relativeMSE))",
                        panels: panels)
    }
}
