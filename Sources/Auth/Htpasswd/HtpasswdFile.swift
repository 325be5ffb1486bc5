/// The contents of an htpasswd file: `user:hash` per line.
///
/// Only bcrypt hashes (`$2a$`, `$2b$`, `$2y$`, as `htpasswd -B` writes) are usable, as in zot; lines with
/// other hashes are reported and ignored, so such a user cannot sign in.
struct HtpasswdFile: Sendable, Equatable {
    /// User → bcrypt hash, with the `$2y$`/`$2a$` prefix rewritten to the equivalent `$2b$` that the
    /// bcrypt implementation checks.
    let hashes: [String: String]
    /// Line numbers (1-based) that were not usable, and why.
    let rejectedLines: [(line: Int, reason: String)]

    static func == (lhs: HtpasswdFile, rhs: HtpasswdFile) -> Bool { lhs.hashes == rhs.hashes }

    init(contents: String) {
        var hashes: [String: String] = [:]
        var rejected: [(Int, String)] = []
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                rejected.append((index + 1, "no colon"))
                continue
            }
            let user = String(line[..<colon])
            // Apache allows a trailing `:comment` field after the hash.
            let hash = String(line[line.index(after: colon)...].prefix { $0 != ":" })
            guard !user.isEmpty else {
                rejected.append((index + 1, "empty user name"))
                continue
            }
            guard let normalised = Self.normalisedBcrypt(hash) else {
                rejected.append((index + 1, "not a bcrypt hash (create entries with htpasswd -B)"))
                continue
            }
            hashes[user] = normalised
        }
        self.hashes = hashes
        rejectedLines = rejected
    }

    /// `hash` with its bcrypt version as `$2b$`, or `nil` when it is no bcrypt hash. `$2a$` and `$2y$`
    /// hash the same way for passwords of at most 72 bytes, and bcrypt reads no more.
    static func normalisedBcrypt(_ hash: String) -> String? {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[3] == UInt8(ascii: "$"),
            bytes[6] == UInt8(ascii: "$")
        else { return nil }
        return "$2b$" + String(hash.dropFirst(4))
    }

    /// The cost (log2 rounds) most entries use, for the decoy hash checked for unknown users.
    var typicalCost: UInt8 {
        var counts: [UInt8: Int] = [:]
        for hash in hashes.values {
            let digits = hash.dropFirst(4).prefix(2)
            if let cost = UInt8(digits) { counts[cost, default: 0] += 1 }
        }
        let cost = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }?.key ?? 10
        return min(max(cost, 4), 12)
    }
}
