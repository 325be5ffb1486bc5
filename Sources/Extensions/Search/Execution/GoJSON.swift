import GraphQL

/// Writes JSON text with the escaping of Go's encoding/json (`<`, `>`, `&`,
/// U+2028 and U+2029 as `\u` escapes, `/` left alone), which is what gqlgen
/// sends; Foundation's encoders escape differently.
struct GoJSON {
    private(set) var text = ""

    mutating func raw(_ fragment: String) {
        text += fragment
    }

    mutating func value(_ map: Map) {
        switch map {
        case .undefined, .null:
            text += "null"
        case .bool(let flag):
            text += flag ? "true" : "false"
        case .number(let number):
            text += Self.format(number)
        case .string(let string):
            self.string(string)
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                value(item)
            }
            text += "]"
        case .dictionary(let entries):
            text += "{"
            var first = true
            for (key, item) in entries where item != .undefined {
                if !first { text += "," }
                first = false
                string(key)
                text += ":"
                value(item)
            }
            text += "}"
        }
    }

    mutating func string(_ string: String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                text += Self.unicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    text += Self.unicodeEscape(scalar.value)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    private static func format(_ number: Number) -> String {
        switch number.storageType {
        case .bool:
            return number.boolValue ? "true" : "false"
        case .int:
            return String(number.int64Value)
        case .double, .unknown:
            let double = number.doubleValue
            guard double.isFinite else { return "null" }
            // Go prints integral floats without a fraction (3, not 3.0).
            if double == double.rounded(), abs(double) < 1e21 {
                return String(Int64(double))
            }
            return "\(double)"
        }
    }
}
