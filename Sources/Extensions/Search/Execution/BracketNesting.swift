/// Measures how deeply `{`, `[` and `(` nest in a GraphQL document without parsing
/// it, skipping strings and comments; used to refuse documents that would drive
/// the recursive-descent parser too deep.
enum BracketNesting {
    static func deepest(in document: String) -> Int {
        let bytes = Array(document.utf8)
        var index = 0
        var depth = 0
        var deepest = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != 10, bytes[index] != 13 { index += 1 }
            case UInt8(ascii: "\""):
                index = endOfString(bytes, from: index)
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                depth = max(0, depth - 1)
            default:
                break
            }
            index += 1
        }
        return deepest
    }

    /// Index just past the string starting at `start` (plain or block string).
    private static func endOfString(_ bytes: [UInt8], from start: Int) -> Int {
        let quote = UInt8(ascii: "\"")
        let isBlock = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        var index = start + (isBlock ? 3 : 1)
        while index < bytes.count {
            if isBlock {
                if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count,
                   bytes[index + 1] == quote, bytes[index + 2] == quote, bytes[index + 3] == quote {
                    index += 4
                    continue
                }
                if bytes[index] == quote, index + 2 < bytes.count,
                   bytes[index + 1] == quote, bytes[index + 2] == quote {
                    return index + 3
                }
            } else {
                if bytes[index] == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                // A plain string cannot span lines; the parser reports that itself.
                if bytes[index] == quote || bytes[index] == 10 || bytes[index] == 13 {
                    return index + 1
                }
            }
            index += 1
        }
        return index
    }
}
