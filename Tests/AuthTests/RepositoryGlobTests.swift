import Config
import Testing

@testable import Auth

/// zot-behaviour.md: "`**` spans slashes; `*` does not."
@Test(arguments: [
    ("**", "app", true), ("**", "a/b/c", true), ("*", "app", true), ("*", "a/b", false),
    ("infra/*", "infra/db", true), ("infra/*", "infra/db/sub", false), ("infra/*", "infra", false),
    ("infra/**", "infra", true), ("infra/**", "infra/db", true), ("infra/**", "infra/db/sub", true),
    ("infra/**", "infrastructure", false), ("infra/**", "other/infra/db", false),
    ("**/app", "app", true), ("**/app", "x/y/app", true), ("**/app", "x/yapp", false),
    ("a/**/b", "a/b", true), ("a/**/b", "a/x/b", true), ("a/**/b", "a/x/y/b", true), ("a/**/b", "a/xb", false),
    ("repo?", "repo1", true), ("repo?", "repo", false), ("repo?", "repo12", false), ("a?b", "a/b", false),
    ("repo[0-9]", "repo5", true), ("repo[0-9]", "repox", false), ("repo[!0-9]", "repo5", false),
    ("repo[!0-9]", "repox", true), ("{team,ops}/*", "ops/app", true), ("{team,ops}/*", "dev/app", false),
    ("a\\*", "a*", true), ("a\\*", "ab", false), ("a**b", "axyb", true), ("a**b", "ax/b", false),
    ("team/app", "team/app", true), ("team/app", "team/app2", false), ("team/app", "team", false),
    ("*/*", "a/b", true), ("*/*", "a/b/c", false), ("**/**", "a/b/c", true), ("", "", true), ("", "a", false),
])
func globMatchesAsDoublestar(pattern: String, name: String, matches: Bool) throws {
    #expect(try RepositoryGlob(pattern).matches(name) == matches, "\(pattern) vs \(name)")
}

@Test(arguments: ["[abc", "{a,b", "a\\", "[z-a]", "a[]"])
func malformedGlobsAreRefused(pattern: String) {
    #expect(throws: RepositoryGlob.SyntaxError.self) { try RepositoryGlob(pattern) }
}

/// A pattern of pathological stars answers quickly: failed sub-matches are remembered.
@Test func starHeavyPatternsDoNotBacktrackExponentially() throws {
    let glob = try RepositoryGlob("*a*a*a*a*a*a*a*a*a*a*a*a*b")
    let clock = ContinuousClock()
    let elapsed = clock.measure {
        #expect(!glob.matches(String(repeating: "a", count: 200)))
    }
    #expect(elapsed < .seconds(1))
}

/// zot-behaviour.md: "Most specific glob wins" — by zot's rule the longest pattern that matches decides, even
/// when a broader one would grant more; so `infra/**` (8 characters) beats `infra/*` (7) where both match.
@Test(arguments: [
    ("infra/db", "infra/**"), ("infra/db/sub", "infra/**"), ("app", "**"), ("infra", "infra/**"),
    ("team/app", "team/app"), ("team/other", "team/**"), ("team/app/x", "team/**"),
])
func mostSpecificPatternDecides(repository: String, expected: String) throws {
    let config = AccessControlConfig(repositories: [
        "**": RepositoryRules(defaultPolicy: [.read]),
        "infra/*": RepositoryRules(),
        "infra/**": RepositoryRules(),
        "team/**": RepositoryRules(),
        "team/*": RepositoryRules(),
        "team/app": RepositoryRules(),
    ])
    #expect(try AccessPolicy(config).decidingPattern(for: repository) == expected)
}
