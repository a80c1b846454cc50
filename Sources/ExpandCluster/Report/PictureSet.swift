import ECFormats
import Foundation

/// A set of pictures written side by side into a results directory (a run's, a suite's).
public protocol PictureSet {
    /// Every picture with its file name, in the order they are written.
    var charts: [(fileName: String, chart: SVGChart)] { get }
}

extension PictureSet {
    /// Writes every picture into `directory`, each file replaced atomically.
    public func write(to directory: URL) throws {
        for (fileName, chart) in charts {
            try writeFileAtomically(chart.svg, to: directory.appendingPathComponent(fileName))
        }
    }
}

extension ChartAxis {
    /// The bottom of a log axis of angles in degrees: the decade of the smallest positive angle,
    /// and at least 0.1° so that a 1° threshold line shows; one decade lower when some angle is
    /// exactly 0°, which is then drawn on the bottom edge (see `placingZeroAt`).
    static func angleFloor(_ degrees: [Double]) -> Double {
        let positive = degrees.filter { $0 > 0 && $0.isFinite }
        return pow(10, log10(min(positive.min() ?? 0.1, 0.1)).rounded(.down) - (degrees.contains(0) ? 1 : 0))
    }
}

extension Array where Element == Double {
    /// Exact zeros moved to `floor`, so that they show on the bottom edge of a log axis.
    func placingZeroAt(_ floor: Double) -> [Double] {
        map { $0 == 0 ? floor : $0 }
    }
}
