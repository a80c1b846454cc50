import Foundation

/// An axis fitted to what a panel draws: where its ends are, which ticks it labels, and where
/// a value lands along it. Works in "axis units": the value itself on a linear axis, its
/// base-10 logarithm on a log axis, so that both map to positions linearly.
struct FittedAxis {
    struct Tick {
        /// In axis units.
        let position: Double
        let label: String
    }

    let scale: ChartAxis.Scale
    /// The ends of the axis in axis units, low < high.
    let low: Double
    let high: Double
    let ticks: [Tick]

    /// - Parameters:
    ///   - values: what the panel draws along this axis, in axis units (see `axisUnits`).
    ///   - tickCount: about how many labelled ticks fit along the axis.
    init(_ axis: ChartAxis, values: [Double], tickCount: Int) {
        scale = axis.scale
        let target = max(2, tickCount)
        if let range = axis.range, let low = Self.axisUnits(range.lowerBound, axis.scale),
           let high = Self.axisUnits(range.upperBound, axis.scale), low < high {
            (self.low, self.high) = (low, high)
        } else {
            (low, high) = Self.fittedEnds(values, scale: axis.scale, integer: axis.integerTicks, tickCount: target)
        }
        switch axis.scale {
        case .linear: ticks = Self.linearTicks(low: low, high: high, integer: axis.integerTicks, tickCount: target)
        case .log10: ticks = Self.logTicks(low: low, high: high, integer: axis.integerTicks, tickCount: target)
        }
    }

    /// `value` in axis units, or nil when it cannot be placed (not finite, or ≤ 0 on a log axis).
    static func axisUnits(_ value: Double, _ scale: ChartAxis.Scale) -> Double? {
        switch scale {
        case .linear: return value.isFinite ? value : nil
        case .log10: return value.isFinite && value > 0 ? log10(value) : nil
        }
    }

    func axisUnits(_ value: Double) -> Double? { Self.axisUnits(value, scale) }

    /// Where `value` lies between the ends: 0 at `low`, 1 at `high`; nil when it cannot be placed.
    func fraction(_ value: Double) -> Double? {
        axisUnits(value).map(fraction(ofPosition:))
    }

    /// Where a position in axis units (a tick's) lies between the ends.
    func fraction(ofPosition position: Double) -> Double {
        (position - low) / (high - low)
    }

    /// Linear axes widen to the nearest ticks so that both ends are labelled; log axes only get
    /// a margin, because widening to whole decades can waste most of the plot.
    private static func fittedEnds(_ values: [Double], scale: ChartAxis.Scale, integer: Bool,
                                   tickCount: Int) -> (Double, Double) {
        guard var low = values.min(), var high = values.max() else {
            return (0, 1)
        }
        switch scale {
        case .linear:
            if low == high {
                let spread = integer ? 1 : max(abs(low) * 0.1, 1e-9)
                (low, high) = (low - spread, high + spread)
            }
            let step = tickStep(span: high - low, integer: integer, tickCount: tickCount)
            var (lowEnd, highEnd) = ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step)
            // A line along the frame would hide in it: data on a rounded end gets one more step
            // of room, except at 0, where bars and counts naturally start.
            if lowEnd == low && low != 0 { lowEnd -= step }
            if highEnd == high && high != 0 { highEnd += step }
            return (lowEnd, highEnd)
        case .log10:
            let margin = low == high ? 0.5 : 0.04 * (high - low)
            return (low - margin, high + margin)
        }
    }

    /// A round step (1, 2 or 5 times a power of ten) that cuts `span` into about `tickCount`
    /// pieces.
    private static func tickStep(span: Double, integer: Bool, tickCount: Int) -> Double {
        let raw = span / Double(tickCount)
        let power = pow(10, (log10(raw)).rounded(.down))
        let mantissa = raw / power
        let step = (mantissa < 1.5 ? 1 : mantissa < 3 ? 2 : mantissa < 7 ? 5 : 10) * power
        return integer ? max(1, step.rounded()) : step
    }

    private static func linearTicks(low: Double, high: Double, integer: Bool, tickCount: Int) -> [Tick] {
        let step = tickStep(span: high - low, integer: integer, tickCount: tickCount)
        // Multiples of the step, computed as i·step rather than accumulated, so they stay exact.
        let tolerance = 1e-9 * step
        let first = Int(((low - tolerance) / step).rounded(.up)), last = Int(((high + tolerance) / step).rounded(.down))
        guard first <= last else { return [] }
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        let scientific = max(abs(low), abs(high)) >= 1e6 || decimals > 5
        return (first...last).map { i in
            let value = Double(i) * step + 0  // + 0 turns −0 into 0
            return Tick(position: value, label: scientific ? compactLabel(value)
                        : String(format: "%.\(decimals)f", value))
        }
    }

    /// Ticks at powers of ten, thinned to every second, third… decade when there are many;
    /// with less than about two decades, at 1, 2 and 5 (or every multiple) within each decade.
    private static func logTicks(low: Double, high: Double, integer: Bool, tickCount: Int) -> [Tick] {
        let tolerance = 1e-9 * (high - low)
        let firstDecade = Int((low - tolerance).rounded(.down)), lastDecade = Int((high + tolerance).rounded(.down))
        // (multiple, decade) pairs, so that positions and labels come from exact integers.
        func ticks(multiples: [Double], decadeStride: Int) -> [(multiple: Double, decade: Int)] {
            var chosen = [(multiple: Double, decade: Int)]()
            for decade in firstDecade...lastDecade where decade % decadeStride == 0 && (!integer || decade >= 0) {
                for multiple in multiples {
                    let position = log10(multiple) + Double(decade)
                    if position >= low - tolerance && position <= high + tolerance { chosen.append((multiple, decade)) }
                }
            }
            return chosen
        }
        var chosen = ticks(multiples: [1], decadeStride: 1)
        if chosen.count > tickCount {
            chosen = ticks(multiples: [1], decadeStride: (chosen.count + tickCount - 1) / tickCount)
        } else if chosen.count < 3 {
            chosen = ticks(multiples: [1, 2, 5], decadeStride: 1)
            if chosen.count < 3 { chosen = ticks(multiples: Array(stride(from: 1.0, through: 9, by: 1)), decadeStride: 1) }
        }
        // One style for the whole axis: plain numbers while they stay short, else 1e-6 style
        // (with 1 itself still "1").
        let plain = chosen.allSatisfy { $0.decade >= -3 && $0.decade < 5 }
        return chosen.map { tick in
            let value = tick.multiple * pow(10, Double(tick.decade))
            let label = plain || tick.decade == 0 ? String(format: "%.\(max(0, -tick.decade))f", value)
                : "\(Int(tick.multiple))e\(tick.decade)"
            return Tick(position: log10(tick.multiple) + Double(tick.decade), label: label)
        }
    }
}

/// A number in few characters for labels: three significant digits in plain notation while
/// that stays short, else "2.5e-7" style.
func compactLabel(_ value: Double) -> String {
    guard value != 0 else { return "0" }
    guard value.isFinite else { return "\(value)" }
    let magnitude = abs(value)
    let plain = magnitude >= 1e-3 && magnitude < 1e4
    var exponent = Int(log10(magnitude).rounded(.down))
    var mantissa = value / pow(10, Double(exponent))
    // Rounding to two decimals can carry into the next power (9.996e-7 → 10e-7).
    if abs((mantissa * 100).rounded()) >= 1000 { exponent += 1; mantissa /= 10 }
    let digits = (plain ? String(format: "%.\(max(0, 2 - exponent))f", value) : String(format: "%.2f", mantissa))
        .droppingTrailingZeros
    return plain ? digits : "\(digits)e\(exponent)"
}
