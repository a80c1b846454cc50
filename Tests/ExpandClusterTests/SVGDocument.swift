import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG picture read back with Foundation's XML parser, so that tests check what a viewer
/// would see (elements, attributes, text) rather than substrings of the markup. Reading fails
/// when the document is not well-formed XML.
final class SVGDocument: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
        /// The text directly inside the element.
        var text: String
        /// The `class` attributes of the enclosing elements, outermost first.
        let enclosingClasses: [String]

        var className: String? { attributes["class"] }

        /// A numeric attribute; fails the caller's expectation by returning NaN when absent.
        func number(_ attribute: String) -> Double {
            attributes[attribute].flatMap(Double.init) ?? .nan
        }
    }

    struct ParseFailure: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var elements = [Element]()
    private var open = [Int]()

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw ParseFailure(description: "not well-formed XML at line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
    }

    /// Elements with `class` equal to `name`.
    func elements(ofClass name: String) -> [Element] {
        elements.filter { $0.className == name }
    }

    /// Elements named `name` inside an element whose class is `enclosing`.
    func elements(_ name: String, inside enclosing: String) -> [Element] {
        elements.filter { $0.name == name && $0.enclosingClasses.contains(enclosing) }
    }

    /// The one plot frame of panel `index`: x, y, width, height in pixels.
    func plotArea(_ index: Int = 0) -> (x: Double, y: Double, width: Double, height: Double) {
        let frame = elements(ofClass: "plot-area")[index]
        return (frame.number("x"), frame.number("y"), frame.number("width"), frame.number("height"))
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let enclosing = open.compactMap { elements[$0].className }
        elements.append(Element(name: elementName, attributes: attributes, text: "", enclosingClasses: enclosing))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = open.last { elements[current].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }
}
