import Foundation

/// A value that can stand in an SVG attribute.
protocol SVGAttributeValue {
    var svgText: String { get }
}

extension Double: SVGAttributeValue {
    /// Pixel values to 0.01 px, without trailing zeros: enough for any screen, and the output
    /// does not depend on the last bits of the arithmetic.
    var svgText: String {
        let text = String(format: "%.2f", self).droppingTrailingZeros
        return text == "-0" ? "0" : text
    }
}

extension String {
    /// A decimal number without the zeros (and point) that end its fraction: "2.50" ↦ "2.5", "3.00" ↦ "3".
    var droppingTrailingZeros: String {
        guard contains(".") else { return self }
        var text = self
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

extension Int: SVGAttributeValue {
    var svgText: String { String(self) }
}

extension String: SVGAttributeValue {
    var svgText: String { SVGMarkup.escaped(self) }
}

/// Building SVG text: elements with attributes in a fixed order, and escaped text.
enum SVGMarkup {
    /// `<name a="…" …/>`, or with `text` (escaped here) between an opening and a closing tag.
    static func element(_ name: String, _ attributes: KeyValuePairs<String, any SVGAttributeValue>,
                        text: String? = nil) -> String {
        guard let text else { return String(openingTag(name, attributes).dropLast()) + "/>" }
        return openingTag(name, attributes) + escaped(text) + "</" + name + ">"
    }

    /// `<name a="…" …>`, to be closed by the caller.
    static func openingTag(_ name: String, _ attributes: KeyValuePairs<String, any SVGAttributeValue>) -> String {
        "<" + name + attributes.map { " \($0.key)=\"\($0.value.svgText)\"" }.joined() + ">"
    }

    /// `<g …>` around `children` (already markup).
    static func group(_ attributes: KeyValuePairs<String, any SVGAttributeValue>, _ children: [String]) -> String {
        ([openingTag("g", attributes)] + children + ["</g>"]).joined(separator: "\n")
    }

    /// Text safe inside an element or an attribute: the five XML specials escaped and the
    /// control characters XML 1.0 forbids dropped (a label must never make the document invalid).
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: break
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A rough width of `text` in pixels, for making room for labels (no font metrics here).
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }
}
