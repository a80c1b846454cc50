import ECCore
import ExpandCluster
import Foundation

/// The short readable result of an identification.
struct ResultSummary {
    let report: IdentifyReport
    let directory: String

    var text: String {
        var lines = [String]()
        let total = report.phaseSeconds["total"] ?? report.phaseSeconds.values.reduce(0, +)
        lines.append("ρ = \(format(report.rho)) (student widths \(report.studentWidths.map(String.init).joined(separator: ",")), \(report.options.students) students), \(report.expansionEpochs) epochs of expansion")
        if let mask = report.options.inputMask {
            lines.append("input mask: \(report.keptInputs ?? mask.count) of \(mask.count) inputs kept for clustering and comparison")
        }
        if let c = report.comparison {
            for layer in c.layers {
                lines.append(String(format: "layer %d: %d neurons found, teacher has %d (overhead %+.0f%%); incoming angle worst %.3g°, median %.3g°; outgoing worst %.3g°",
                                    layer.layer + 1, layer.recoveredWidth, layer.teacherWidth, 100 * layer.overhead,
                                    layer.incoming.worstDegrees, layer.incoming.medianDegrees, layer.outgoing.worstDegrees))
            }
            lines.append(String(format: "fresh inputs: RMSE %.3g, MSE/Var(y) %.3g", c.rmse, c.relativeMSE))
            lines.append("identified: \(c.identified ? "yes" : "no") (\(c.criteria.description))")
        } else {
            lines.append("recovered widths: \(report.recoveredWidths.map(String.init).joined(separator: ","))")
        }
        if let reduction = report.reducedStudent {
            lines.append("recovered network: student \(reduction.student + 1), exact on the probe set, reduced from widths \(reduction.widths.map(String.init).joined(separator: ",")) (the clusters gave no exact network)")
        }
        lines.append(String(format: "probe-set MSE/Var(y) after fine-tuning: %.3g", report.finalRelativeLoss))
        lines.append(String(format: "time: %@ on %@; results in %@/", ProgressPrinter.duration(total), report.device, directory))
        if let ranks = report.ranks { lines.append(ranks.summary) }
        let mib = { (bytes: Int) in String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
        if let host = report.peakHostMemoryBytes {
            lines.append("peak memory: host \(mib(host))" + (report.peakDeviceMemoryBytes.map { ", device \(mib($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%g", x) }
}
