/// A repository name pattern of zot's access-control config, matched as zot's doublestar library does.
///
/// - `*` matches any run of characters within one path segment (never `/`); `?` one such character;
///   `[a-z]`, `[!x]` one character of (or not of) a set.
/// - `**` as a whole segment matches any number of segments, none included: `infra/**` matches `infra`,
///   `infra/a` and `infra/a/b`; `**/app` matches `app` and `x/y/app`; `**` alone matches every name.
/// - `{a,b}` matches either alternative; `\` takes the next character literally.
public struct RepositoryGlob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let alternatives: [[Token]]

    /// Why a pattern cannot be used.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let pattern: String
        public let reason: String
        public var description: String { "\"\(pattern)\": \(reason)" }
    }

    private enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case anyCharacter
        case star
        /// `**` as the whole pattern or a segment that is not followed by `/`: anything at all.
        case anything
        /// `**/`: nothing, or any run of segments each ending in `/`.
        case segments
        /// A trailing `/**`: nothing, or `/` followed by anything.
        case trailingSegments
        case set([ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    /// The most alternatives one pattern may expand to, so a config cannot ask for an exponential blow-up.
    static let maximumAlternatives = 256

    public init(_ pattern: String) throws(SyntaxError) {
        self.pattern = pattern
        let expanded = try Self.expand(Array(pattern.unicodeScalars), pattern: pattern)
        var compiled: [[Token]] = []
        for scalars in expanded { compiled.append(try Self.tokens(scalars, pattern: pattern)) }
        alternatives = compiled
    }

    public var description: String { pattern }

    /// How specific the pattern is: zot lets the longest matching pattern decide. Ties go to the pattern with
    /// fewer wildcards, so the outcome never depends on the order of a JSON object.
    public var specificity: (length: Int, literals: Int) {
        let literals = alternatives.map { $0.count { if case .literal = $0 { true } else { false } } }.min() ?? 0
        return (pattern.count, literals)
    }

    /// Whether `name` matches the pattern.
    public func matches(_ name: String) -> Bool {
        let subject = Array(name.unicodeScalars)
        return alternatives.contains { tokens in
            var failed = Set<Int>()
            return Self.match(tokens, 0, subject, 0, &failed)
        }
    }

    // MARK: Matching

    private static func match(
        _ tokens: [Token], _ t: Int, _ s: [Unicode.Scalar], _ i: Int, _ failed: inout Set<Int>
    ) -> Bool {
        let key = t &* (s.count + 1) &+ i
        if failed.contains(key) { return false }
        let result = matchUncached(tokens, t, s, i, &failed)
        if !result { failed.insert(key) }
        return result
    }

    private static func matchUncached(
        _ tokens: [Token], _ t: Int, _ s: [Unicode.Scalar], _ i: Int, _ failed: inout Set<Int>
    ) -> Bool {
        guard t < tokens.count else { return i == s.count }
        switch tokens[t] {
        case .literal(let scalar):
            return i < s.count && s[i] == scalar && match(tokens, t + 1, s, i + 1, &failed)
        case .anyCharacter:
            return i < s.count && s[i] != "/" && match(tokens, t + 1, s, i + 1, &failed)
        case .set(let ranges, let negated):
            guard i < s.count, s[i] != "/" else { return false }
            let inSet = ranges.contains { $0.contains(s[i]) }
            return inSet != negated && match(tokens, t + 1, s, i + 1, &failed)
        case .star:
            var end = i
            while true {
                if match(tokens, t + 1, s, end, &failed) { return true }
                guard end < s.count, s[end] != "/" else { return false }
                end += 1
            }
        case .anything:
            for end in i...s.count where match(tokens, t + 1, s, end, &failed) { return true }
            return false
        case .segments:
            if match(tokens, t + 1, s, i, &failed) { return true }
            for end in i..<s.count where s[end] == "/" && match(tokens, t + 1, s, end + 1, &failed) {
                return true
            }
            return false
        case .trailingSegments:
            return i == s.count || s[i] == "/"
        }
    }

    // MARK: Compiling

    /// Expands `{a,b}` alternatives into whole patterns.
    private static func expand(_ scalars: [Unicode.Scalar], pattern: String) throws(SyntaxError) -> [[Unicode.Scalar]] {
        var index = 0
        var open: Int?
        var depth = 0
        var commas: [Int] = []
        while index < scalars.count {
            switch scalars[index] {
            case "\\":
                index += 1
            case "[":
                // A set may hold `{`, `,` or `}` literally: skip to its end.
                guard let close = setEnd(scalars, from: index) else {
                    throw SyntaxError(pattern: pattern, reason: "unterminated [ ]")
                }
                index = close
            case "{":
                if depth == 0 { open = index }
                depth += 1
            case "," where depth == 1:
                commas.append(index)
            case "}" where depth > 0:
                depth -= 1
                if depth == 0, let start = open {
                    let prefix = Array(scalars[..<start])
                    let suffix = Array(scalars[(index + 1)...])
                    var bounds = [start] + commas + [index]
                    var results: [[Unicode.Scalar]] = []
                    for k in 0..<(bounds.count - 1) {
                        let choice = Array(scalars[(bounds[k] + 1)..<bounds[k + 1]])
                        results += try expand(prefix + choice + suffix, pattern: pattern)
                        guard results.count <= maximumAlternatives else {
                            throw SyntaxError(pattern: pattern, reason: "too many { } alternatives")
                        }
                    }
                    bounds.removeAll()
                    return results
                }
            default:
                break
            }
            index += 1
        }
        if depth > 0 { throw SyntaxError(pattern: pattern, reason: "unterminated { }") }
        return [scalars]
    }

    /// The index of the `]` closing the set that opens at `start`.
    private static func setEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" { index += 1 }
        if index < scalars.count, scalars[index] == "]" { index += 1 }
        while index < scalars.count {
            if scalars[index] == "\\" {
                index += 2
                continue
            }
            if scalars[index] == "]" { return index }
            index += 1
        }
        return nil
    }

    private static func tokens(_ scalars: [Unicode.Scalar], pattern: String) throws(SyntaxError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                guard index + 1 < scalars.count else {
                    throw SyntaxError(pattern: pattern, reason: "a trailing \\ escapes nothing")
                }
                tokens.append(.literal(scalars[index + 1]))
                index += 2
            case "?":
                tokens.append(.anyCharacter)
                index += 1
            case "[":
                guard let close = setEnd(scalars, from: index) else {
                    throw SyntaxError(pattern: pattern, reason: "unterminated [ ]")
                }
                tokens.append(try set(Array(scalars[(index + 1)..<close]), pattern: pattern))
                index = close + 1
            case "*":
                var end = index
                while end < scalars.count, scalars[end] == "*" { end += 1 }
                let wholeSegment =
                    end - index >= 2 && (index == 0 || scalars[index - 1] == "/")
                    && (end == scalars.count || scalars[end] == "/")
                if !wholeSegment {
                    tokens.append(.star)
                } else if end < scalars.count {
                    tokens.append(.segments)
                    end += 1  // the `/` belongs to the segments token
                } else if tokens.last == .literal("/") {
                    tokens.removeLast()  // the `/` before a trailing `**`
                    tokens.append(.trailingSegments)
                } else {
                    tokens.append(.anything)
                }
                index = end
            default:
                tokens.append(.literal(scalar))
                index += 1
            }
        }
        return tokens
    }

    private static func set(_ body: [Unicode.Scalar], pattern: String) throws(SyntaxError) -> Token {
        var scalars = body
        var negated = false
        if let first = scalars.first, first == "!" || first == "^" {
            negated = true
            scalars.removeFirst()
        }
        var members: [Unicode.Scalar] = []
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
            members.append(scalars[index])
            index += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        index = 0
        while index < members.count {
            if index + 2 < members.count, members[index + 1] == "-" {
                guard members[index] <= members[index + 2] else {
                    throw SyntaxError(pattern: pattern, reason: "a range in [ ] runs backwards")
                }
                ranges.append(members[index]...members[index + 2])
                index += 3
            } else {
                ranges.append(members[index]...members[index])
                index += 1
            }
        }
        guard !ranges.isEmpty else { throw SyntaxError(pattern: pattern, reason: "an empty [ ]") }
        return .set(ranges, negated: negated)
    }
}
