import ECCore

/// Throws `ECError.nonFiniteData` naming `what` and the position of the first NaN or infinity in
/// `values`: "row r, column c" when `columns` gives a matrix layout, "index i" for a vector.
func requireFinite<T: Real>(_ values: [T], columns: Int? = nil, _ what: String) throws {
    // Scan as the concrete type: generic callers (ProbeSet<T>, Network<T>) in other modules would
    // otherwise make a protocol call per element.
    let index = switch T.precision {
    case .float32: values.reinterpreted(as: Float.self).firstIndex { !$0.isFinite }
    case .float64: values.reinterpreted(as: Double.self).firstIndex { !$0.isFinite }
    }
    guard let index else { return }
    let value = values[index]
    let kind = value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf"
    let position = columns.map { "row \(index / $0), column \(index % $0)" } ?? "index \(index)"
    throw ECError.nonFiniteData("\(what) contains \(kind) at \(position)")
}
