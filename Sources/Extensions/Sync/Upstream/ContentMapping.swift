import Config

/// Which upstream repository a local name stands for, by a registry's `content` rules (zot's `prefix`,
/// `destination`, `stripPrefix`); with no rules, every name stands for itself.
struct ContentMapping: Sendable {
    let rules: [SyncContentRule]

    /// The upstream repository `local` is pulled from, or nil when no rule covers it.
    func upstreamName(forLocal local: String) -> String? {
        guard !rules.isEmpty else { return local }
        for rule in rules {
            let prefix = Self.trimmed(rule.prefix)
            let upstream: String
            if let destination = rule.destination.map(Self.trimmed), !destination.isEmpty {
                guard let rest = Self.remainder(of: local, under: destination) else { continue }
                if rule.stripPrefix {
                    let fixed = Self.fixedPart(of: prefix)
                    upstream = [fixed, rest].filter { !$0.isEmpty }.joined(separator: "/")
                } else {
                    upstream = rest
                }
            } else {
                upstream = local
            }
            if !upstream.isEmpty, Self.glob(prefix, matches: upstream) { return upstream }
        }
        return nil
    }

    /// The local name upstream repository `upstream` is mirrored under by `rule` (its `destination`, with the
    /// prefix's fixed part dropped when `stripPrefix`).
    static func localName(forUpstream upstream: String, by rule: SyncContentRule) -> String {
        guard let destination = rule.destination.map(trimmed), !destination.isEmpty else { return upstream }
        var rest = upstream
        if rule.stripPrefix, let below = remainder(of: upstream, under: fixedPart(of: trimmed(rule.prefix))) {
            rest = below
        }
        return [destination, rest].filter { !$0.isEmpty }.joined(separator: "/")
    }

    /// `name` below `directory` (`a/b/c` below `a` is `b/c`; `a` below `a` is empty); nil when not below it.
    static func remainder(of name: String, under directory: String) -> String? {
        if name == directory { return "" }
        guard name.hasPrefix(directory + "/") else { return nil }
        return String(name.dropFirst(directory.count + 1))
    }

    /// The leading components of a glob before the first one with a wildcard (`repo3/**` → `repo3`).
    static func fixedPart(of glob: String) -> String {
        glob.split(separator: "/").prefix { !$0.contains("*") && !$0.contains("?") }.joined(separator: "/")
    }

    /// zot writes names with a leading `/` (`/repo1/repo`); repositories have none.
    static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while text.first == "/" { text = text.dropFirst() }
        while text.last == "/" { text = text.dropLast() }
        return String(text)
    }

    /// A glob over repository names, as zot matches `prefix`: `**` any run of characters (across `/`), `*` any
    /// run within one component, `?` one character; a glob without wildcards names one repository, or with a
    /// trailing `/**` everything below it too.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        func match(_ p: Substring, _ n: Substring) -> Bool {
            guard let first = p.first else { return n.isEmpty }
            if p.hasPrefix("**") {
                var rest = p.dropFirst(2)
                // `a/**` also covers `a` itself.
                if rest.isEmpty { return true }
                if rest.first == "/" {
                    rest = rest.dropFirst()
                    if match(rest, n) { return true }
                }
                var tail = n
                while !tail.isEmpty {
                    if match(p.dropFirst(2), tail) { return true }
                    tail = tail.dropFirst()
                }
                return match(p.dropFirst(2), tail)
            }
            if first == "*" {
                var tail = n
                while true {
                    if match(p.dropFirst(), tail) { return true }
                    guard let next = tail.first, next != "/" else { return false }
                    tail = tail.dropFirst()
                }
            }
            guard let character = n.first else { return false }
            if first == "?" { return character != "/" && match(p.dropFirst(), n.dropFirst()) }
            if p.hasPrefix("/**"), n.isEmpty { return true }
            return first == character && match(p.dropFirst(), n.dropFirst())
        }
        return match(Substring(pattern), Substring(name)) || (pattern.hasSuffix("/**") && name == String(pattern.dropLast(3)))
    }
}
