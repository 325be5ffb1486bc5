import Config
import Testing

@testable import SyncExtension

/// Local names to upstream names, as zot's `content` rules map them.
@Suite struct ContentMappingTests {
    @Test func withoutRulesEveryNameStandsForItself() {
        #expect(ContentMapping(rules: []).upstreamName(forLocal: "library/alpine") == "library/alpine")
    }

    @Test(arguments: [
        ("repo3/**", "repo3/a/b", true), ("repo3/**", "repo3", true), ("repo3/**", "repo30/a", false),
        ("/repo1/repo", "repo1/repo", true), ("/repo1/repo", "repo1/repo/x", false),
        ("team/*", "team/app", true), ("team/*", "team/app/cli", false), ("**", "any/thing", true),
        ("zot/**", "zot", true), ("app?", "app1", true), ("app?", "app/", false),
    ])
    func prefixGlobsMatchAsZotMatchesThem(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(ContentMapping.glob(ContentMapping.trimmed(pattern), matches: name) == expected)
    }

    /// `destination` without `stripPrefix` puts the upstream name below it; with it, the prefix's fixed part
    /// is replaced by the destination (zot's config-sync.json examples).
    @Test func destinationAndStripPrefixMapBack() {
        let stripped = ContentMapping(rules: [SyncContentRule(prefix: "/repo2/repo", destination: "/repo", stripPrefix: true)])
        #expect(stripped.upstreamName(forLocal: "repo") == "repo2/repo")
        #expect(stripped.upstreamName(forLocal: "other") == nil)
        let below = ContentMapping(rules: [SyncContentRule(prefix: "library/**", destination: "/mirror")])
        #expect(below.upstreamName(forLocal: "mirror/library/alpine") == "library/alpine")
        #expect(below.upstreamName(forLocal: "library/alpine") == nil)
        let tree = ContentMapping(rules: [SyncContentRule(prefix: "repo3/**", destination: "/m", stripPrefix: true)])
        #expect(tree.upstreamName(forLocal: "m/a/b") == "repo3/a/b")
    }

    @Test func aNameNoRuleCoversIsNotPulledThrough() {
        let mapping = ContentMapping(rules: [SyncContentRule(prefix: "library/**")])
        #expect(mapping.upstreamName(forLocal: "library/alpine") == "library/alpine")
        #expect(mapping.upstreamName(forLocal: "private/app") == nil)
    }

    /// Periodic sync maps the other way: upstream names to the local ones the rule puts them under.
    @Test func upstreamNamesMapToLocalOnes() {
        let strip = SyncContentRule(prefix: "/vendor/**", destination: "/mirror", stripPrefix: true)
        #expect(ContentMapping.localName(forUpstream: "vendor/tools/app", by: strip) == "mirror/tools/app")
        let below = SyncContentRule(prefix: "library/**", destination: "/mirror")
        #expect(ContentMapping.localName(forUpstream: "library/alpine", by: below) == "mirror/library/alpine")
        #expect(ContentMapping.localName(forUpstream: "library/alpine", by: SyncContentRule(prefix: "**")) == "library/alpine")
        let single = SyncContentRule(prefix: "/repo2/repo", destination: "/repo", stripPrefix: true)
        #expect(ContentMapping.localName(forUpstream: "repo2/repo", by: single) == "repo")
    }
}
