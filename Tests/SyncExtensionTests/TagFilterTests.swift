import Config
import Testing

@testable import SyncExtension

/// zot's tag rules: unanchored regexes, and semantic versions as Masterminds/semver reads them.
@Suite struct TagFilterTests {
    @Test(arguments: [
        ("1.2.3", true), ("v1.2", true), ("2", true), ("2.0.0-rc.1+build.5", true),
        ("latest", false), ("1.2.3.4", false), ("01.2.3", false), ("1.2-", false),
    ])
    func semanticVersions(_ tag: String, _ expected: Bool) {
        #expect(TagFilter.isSemanticVersion(tag) == expected)
    }

    /// Go's `MatchString` finds a match anywhere: `4.*` selects `v4.1` and `14`, as in zot.
    @Test func regexesMatchAnywhereInTheTag() {
        let filter = TagFilter(SyncTagFilter(regex: "4.*", excludeRegex: "-(amd64|arm64)$"))
        #expect(filter.accepts("v4.1") && filter.accepts("14"))
        #expect(!filter.accepts("3.0"))
        #expect(!filter.accepts("4.1-arm64"))
    }

    @Test func noRulesAcceptEveryTag() {
        #expect(TagFilter(nil).accepts("anything"))
    }
}
