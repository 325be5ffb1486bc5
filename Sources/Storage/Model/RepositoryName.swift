/// A repository name that satisfies the distribution spec's grammar:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
///
/// The grammar excludes `..`, empty components, upper case and leading separators, so a
/// valid name can never escape the storage root when used in a path.
public struct RepositoryName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: String

    /// Longest name accepted, as distribution and zot limit it.
    public static let maximumLength = 255

    public init(parsing string: some StringProtocol) throws(StorageError) {
        guard !string.isEmpty, string.utf8.count <= Self.maximumLength else { throw .nameInvalid(String(string)) }
        for component in string.split(separator: "/", omittingEmptySubsequences: false) {
            guard Self.isValidComponent(component) else { throw .nameInvalid(String(string)) }
        }
        value = String(string)
    }

    public var description: String { value }

    public static func < (lhs: RepositoryName, rhs: RepositoryName) -> Bool { lhs.value < rhs.value }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`: alphanumeric runs joined by `.`, `_`, `__` or any number of `-`.
    private static func isValidComponent(_ component: some StringProtocol) -> Bool {
        var bytes = component.utf8.makeIterator()
        var previous: UInt8? = nil
        var separatorRun: [UInt8] = []
        while let byte = bytes.next() {
            let isAlphanumeric = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            if isAlphanumeric {
                if !separatorRun.isEmpty, !isAllowedSeparator(separatorRun) { return false }
                separatorRun.removeAll(keepingCapacity: true)
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                if previous == nil { return false }
                separatorRun.append(byte)
            } else {
                return false
            }
            previous = byte
        }
        return previous != nil && separatorRun.isEmpty
    }

    private static func isAllowedSeparator(_ run: [UInt8]) -> Bool {
        if run == [UInt8(ascii: ".")] || run == [UInt8(ascii: "_")] || run == [UInt8(ascii: "_"), UInt8(ascii: "_")] {
            return true
        }
        return run.allSatisfy { $0 == UInt8(ascii: "-") }
    }
}
