extension String {
    /// The string as it may appear inside a one-line error message. Names, dtypes and header
    /// tokens come from untrusted files, so control and line-separator characters are escaped and
    /// very long strings are shortened.
    var printable: String { printable(limit: 120) }

    func printable(limit: Int) -> String {
        var out = ""
        for scalar in unicodeScalars.prefix(limit) {
            switch scalar.value {
            case 0x0a: out += "\\n"
            case 0x0d: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7f...0x9f, 0x2028, 0x2029: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return unicodeScalars.count > limit ? out + "…" : out
    }
}
