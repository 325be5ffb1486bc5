import Foundation

/// Reads the few elements zotd needs from S3's XML replies (an upload id, listed keys, an error code).
///
/// S3's replies are flat and machine-written: an element's text is what lies between its opening and closing
/// tags, with XML's five predefined entities. Nothing else of XML is needed, nor accepted as meaningful.
enum S3XML {
    /// The text of every `<name>` element, in order.
    static func values(of name: String, in xml: String) -> [String] {
        elements(name, in: xml).map(unescaped)
    }

    /// The raw contents of every `<name>` element, in order.
    static func elements(_ name: String, in xml: String) -> [String] {
        var found: [String] = []
        var rest = xml[...]
        let (open, close) = ("<\(name)>", "</\(name)>")
        while let start = rest.range(of: open), let end = rest.range(of: close, range: start.upperBound..<rest.endIndex) {
            found.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return found
    }

    static func unescaped(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
