import ECCore
import Foundation

/// The pictures of a toy suite, drawn from its results (finished or not):
///
/// - success-by-rho.svg: the share of problems identified against ρ, over the whole suite and
///   per activation, beside the paper's 80% at ρ = 4;
/// - worst-angles.svg: every problem's worst incoming angle at every ρ, one panel per
///   activation, problems placed by size grade, against the 1° identification threshold.
public struct SuitePictures: PictureSet, Sendable {
    public let results: [SuiteResult]

    public init(results: [SuiteResult]) {
        self.results = results
    }

    public var charts: [(fileName: String, chart: SVGChart)] {
        [(fileName: "success-by-rho.svg", chart: successByRho), (fileName: "worst-angles.svg", chart: worstAngles)]
    }

    /// The paper's share of toy problems identified at ρ = 4.
    static let paperRateAtRhoFour = 80.0
    private static let overallColor = "#222222"
    private static let rhoColors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]

    private var rhos: [Double] { Array(Set(results.map(\.rho))).sorted() }
    private var activations: [Activation] { ToySuite.activations.filter { a in results.contains { $0.activation == a } } }

    /// One line per activation, and a heavy one for the whole suite; a point per ρ.
    public var successByRho: SVGChart {
        let summary = SuiteSummary(results: results)
        let line = { (row: SuiteSummary.Row, color: String?, width: Double) -> ChartSeries in
            let measured = summary.rhos.filter { (row.rates[SuiteSummary.key($0)]?.total ?? 0) > 0 }
            return ChartSeries(name: "\(row.label) (\(measured.map { row.rates[SuiteSummary.key($0)]!.total }.max() ?? 0) problems)",
                               x: measured, y: measured.map { 100 * row.rates[SuiteSummary.key($0)]!.fraction },
                               color: color, lineWidth: width, marker: .circle)
        }
        let perActivation = summary.byActivation.filter { row in row.rates.values.contains { $0.total > 0 } }
        let panel = ChartPanel(
            x: ChartAxis("expansion factor ρ", range: 0.5...(max(rhos.last ?? 4, 4) + 0.5), integerTicks: true),
            y: ChartAxis("identified (%)", range: 0...100),
            series: perActivation.map { line($0, nil, 1.5) } + [line(summary.overall, Self.overallColor, 3)],
            references: [ReferenceLine(.horizontal, at: Self.paperRateAtRhoFour,
                                       label: "paper, ρ = 4: \(compactLabel(Self.paperRateAtRhoFour))%")],
            plotHeight: 300)
        return SVGChart(title: "Toy suite: share of teachers identified against the expansion factor", panels: [panel])
    }

    /// Identified problems as circles and the others as crosses, one colour per ρ; within a size
    /// grade, ρ and seed shift a problem sideways so that points do not hide each other. An
    /// exact 0° sits on the bottom edge, a decade below the smallest positive angle.
    public var worstAngles: SVGChart {
        let rhos = self.rhos
        let panels = activations.map { activation -> ChartPanel in
            let mine = results.filter { $0.activation == activation }
            let bottom = ChartAxis.angleFloor(mine.map(\.worstIncomingDegrees))
            let position = { (result: SuiteResult) -> Double in
                // ρ spread over at most ±0.3 and seeds over ±0.07, inside the grade's ±0.5.
                let rhoShift = (Double(rhos.firstIndex(of: result.rho)!) - Double(rhos.count - 1) / 2) * min(0.22, 0.6 / Double(rhos.count))
                return Double(result.grade) + rhoShift + Double(result.seed - 3) * 0.035
            }
            let series = rhos.enumerated().flatMap { index, rho -> [ChartSeries] in
                let color = Self.rhoColors[index % Self.rhoColors.count]
                let atRho = mine.filter { $0.rho == rho }
                return [(true, ChartSeries.Marker.circle), (false, .cross)].compactMap { identified, marker in
                    let chosen = atRho.filter { $0.identified == identified }
                    guard !chosen.isEmpty else { return nil }
                    return ChartSeries(name: "ρ = \(SuiteSummary.key(rho)): \(chosen.count) \(identified ? "identified" : "not")",
                                       x: chosen.map(position), y: chosen.map(\.worstIncomingDegrees).placingZeroAt(bottom),
                                       style: .points, color: color, marker: marker)
                }
            }
            let sizes = ToySuite.sizes.enumerated().map { "\($0.offset + 1): d=\($0.element.0) r=\($0.element.1)" }
            return ChartPanel(
                title: "\(activation.rawValue): \(mine.filter(\.identified).count) of \(mine.count) identified",
                x: ChartAxis("size grade (" + sizes.joined(separator: ", ") + ")", range: 0.5...6.5, integerTicks: true),
                y: ChartAxis("worst incoming angle (degrees)", scale: .log10, range: bottom...180),
                series: series,
                references: [ReferenceLine(.horizontal, at: IdentificationCriteria.toy.maximumIncomingDegrees,
                                           label: "\(compactLabel(IdentificationCriteria.toy.maximumIncomingDegrees))° identification threshold")],
                plotHeight: 200)
        }
        return SVGChart(title: "Toy suite: each teacher's worst incoming angle to the recovered network", panels: panels)
    }
}
