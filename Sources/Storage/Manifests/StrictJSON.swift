/// Refuses JSON that two parsers could read differently, before zotd judges a document that clients will
/// read with another parser.
///
/// Foundation's `JSONDecoder` keeps the first of two equal keys; Go's encoding/json (docker, containerd,
/// skopeo, zot) and Python keep the last, and Go also matches struct fields case-insensitively (`"Layers"`,
/// even `"ſchemaVersion"`, fill `layers` and `schemaVersion`). A manifest whose second `"layers"` names a
/// blob never pushed would pass the registry's missing-blob check and reach every client with that blob.
/// So a document is refused when any object repeats a key, when a field that clients read as a struct field
/// is spelled in another case, when it is not UTF-8 (the image spec requires UTF-8; a byte-order mark is
/// refused as Go refuses it), or when it is not exactly one JSON value.
public enum StrictJSON {
    /// Why a document was refused, in words for an error's detail.
    public struct Violation: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Checks `bytes`.
    /// - Parameters:
    ///   - fields: names that clients decode into struct fields, each only in this spelling.
    ///   - mapFields: fields whose object value is a map (`annotations`): its keys are data, compared exactly.
    public static func check(_ bytes: [UInt8], fields: Set<String>, mapFields: Set<String>) throws(Violation) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw Violation(description: "the body starts with a byte-order mark; send UTF-8 without one")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Violation(description: "the body is not valid UTF-8")
        }
        let folded = Dictionary(fields.map { (fold($0), $0) }, uniquingKeysWith: { first, _ in first })
        var scanner = Scanner(bytes: bytes, canonical: folded, mapFields: mapFields)
        try scanner.document()
    }

    /// How Go's encoding/json compares a key with a field name: case-insensitively, where the long s and the
    /// Kelvin sign fold to `s` and `k` (`lowercased()` already maps the Kelvin sign).
    static func fold(_ key: String) -> String {
        String(key.lowercased().unicodeScalars.map { $0 == "\u{17F}" ? "s" : Character($0) })
    }
}

extension StrictJSON {
    /// A recursive-descent pass over the bytes that builds nothing but the keys of the object being read.
    struct Scanner {
        /// Deeper documents are refused rather than risk the stack; real manifests nest five levels.
        static let maximumDepth = 128

        let bytes: [UInt8]
        /// Folded field name → its one accepted spelling.
        let canonical: [String: String]
        let mapFields: Set<String>
        var position = 0

        init(bytes: [UInt8], canonical: [String: String], mapFields: Set<String>) {
            self.bytes = bytes
            self.canonical = canonical
            self.mapFields = mapFields
        }

        mutating func document() throws(Violation) {
            try value(depth: 0, isMap: false)
            skipWhitespace()
            guard position == bytes.count else { throw invalid("unexpected data after the JSON value") }
        }

        private mutating func value(depth: Int, isMap: Bool) throws(Violation) {
            guard depth < Self.maximumDepth else { throw invalid("nested deeper than \(Self.maximumDepth) levels") }
            skipWhitespace()
            guard let byte = peek() else { throw invalid("unexpected end of the body") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth, isMap: isMap)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string(decoding: false)
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        private mutating func object(depth: Int, isMap: Bool) throws(Violation) {
            position += 1
            var seen: Set<String> = []
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw invalid("expected a key") }
                let key = try string(decoding: true)
                guard seen.insert(key).inserted else { throw Violation(description: "duplicate key \"\(key)\"") }
                if !isMap, let spelling = canonical[StrictJSON.fold(key)], spelling != key {
                    throw Violation(description: "key \"\(key)\" must be spelled \"\(spelling)\"")
                }
                skipWhitespace()
                guard next() == UInt8(ascii: ":") else { throw invalid("expected ':' after a key") }
                try value(depth: depth + 1, isMap: !isMap && mapFields.contains(key))
                skipWhitespace()
                switch next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "}"): return
                default: throw invalid("expected ',' or '}' in an object")
                }
            }
        }

        private mutating func array(depth: Int) throws(Violation) {
            position += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try value(depth: depth + 1, isMap: false)
                skipWhitespace()
                switch next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "]"): return
                default: throw invalid("expected ',' or ']' in an array")
                }
            }
        }

        /// Reads a string; with `decoding`, returns its value as Go would see it (lone surrogates as U+FFFD).
        private mutating func string(decoding: Bool) throws(Violation) -> String {
            position += 1
            let start = position
            var units: [UInt16] = []
            var escaped = false
            while let byte = next() {
                switch byte {
                case UInt8(ascii: "\""):
                    guard decoding else { return "" }
                    if !escaped { return String(decoding: bytes[start..<(position - 1)], as: UTF8.self) }
                    return String(decoding: units, as: UTF16.self)
                case UInt8(ascii: "\\"):
                    if decoding && !escaped {
                        escaped = true
                        units = Array(String(decoding: bytes[start..<(position - 1)], as: UTF8.self).utf16)
                    }
                    try escape(into: &units)
                case 0..<0x20:
                    throw invalid("control character in a string")
                default:
                    if escaped { appendUTF8(byte, into: &units) }
                }
            }
            throw invalid("unterminated string")
        }

        private mutating func escape(into units: inout [UInt16]) throws(Violation) {
            guard let byte = next() else { throw invalid("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): units.append(UInt16(byte))
            case UInt8(ascii: "b"): units.append(0x08)
            case UInt8(ascii: "f"): units.append(0x0C)
            case UInt8(ascii: "n"): units.append(0x0A)
            case UInt8(ascii: "r"): units.append(0x0D)
            case UInt8(ascii: "t"): units.append(0x09)
            case UInt8(ascii: "u"):
                var unit: UInt16 = 0
                for _ in 0..<4 {
                    guard let digit = next().flatMap(Self.hexValue) else { throw invalid("bad \\u escape") }
                    unit = unit << 4 | UInt16(digit)
                }
                units.append(unit)
            default:
                throw invalid("bad escape in a string")
            }
        }

        /// Raw bytes after an escape, re-encoded as UTF-16 once the sequence is whole (the body is valid UTF-8).
        private mutating func appendUTF8(_ byte: UInt8, into units: inout [UInt16]) {
            guard byte >= 0x80 else {
                units.append(UInt16(byte))
                return
            }
            guard byte >= 0xC0 else { return }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            let sequence = bytes[(position - 1)..<min(position - 1 + length, bytes.count)]
            units.append(contentsOf: String(decoding: sequence, as: UTF8.self).utf16)
        }

        private mutating func number() throws(Violation) {
            let start = position
            if peek() == UInt8(ascii: "-") { position += 1 }
            guard let first = peek(), Self.isDigit(first) else { throw invalid("unexpected character") }
            position += 1
            if first != UInt8(ascii: "0") { skipDigits() }
            if peek() == UInt8(ascii: ".") {
                position += 1
                guard peek().map(Self.isDigit) == true else { throw invalid("bad number") }
                skipDigits()
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                position += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
                guard peek().map(Self.isDigit) == true else { throw invalid("bad number") }
                skipDigits()
            }
            if position == start { throw invalid("unexpected character") }
        }

        private mutating func literal(_ word: StaticString) throws(Violation) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard position + expected.count <= bytes.count, bytes[position..<(position + expected.count)].elementsEqual(expected)
            else { throw invalid("unexpected character") }
            position += expected.count
        }

        private mutating func skipDigits() {
            while let byte = peek(), Self.isDigit(byte) { position += 1 }
        }

        private mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func next() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        private func invalid(_ what: String) -> Violation {
            Violation(description: "not valid JSON at byte \(position): \(what)")
        }

        private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        private static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
    }
}
