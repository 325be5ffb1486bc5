import Config

/// A content rule's `tags`, as zot applies them: `regex` must match somewhere in the tag and `excludeRegex`
/// nowhere (Go's `MatchString`, not anchored), and with `semver` the tag must be a semantic version
/// (`1.2.3`, `v1.2`, `2.0.0-rc.1+build`, as Masterminds/semver reads them).
struct TagFilter {
    private let include: Regex<AnyRegexOutput>?
    private let exclude: Regex<AnyRegexOutput>?
    private let semver: Bool

    /// The patterns were checked when the config was read.
    init(_ filter: SyncTagFilter?) {
        include = filter?.regex.flatMap { try? Regex($0) }
        exclude = filter?.excludeRegex.flatMap { try? Regex($0) }
        semver = filter?.semver ?? false
    }

    func accepts(_ tag: String) -> Bool {
        if let include, (try? include.firstMatch(in: tag)) == nil { return false }
        if let exclude, (try? exclude.firstMatch(in: tag)) != nil { return false }
        return !semver || Self.isSemanticVersion(tag)
    }

    static func isSemanticVersion(_ tag: String) -> Bool {
        (try? semanticVersion.wholeMatch(in: tag)) != nil
    }

    nonisolated(unsafe) private static let semanticVersion =
        /v?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){0,2}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?/
}
