import Config
import Testing

@testable import LintExtension
@testable import MgmtExtension
@testable import Registry

/// The factories a full build compiles in, among those this target can see.
private let compiledIn: [any RegistryExtensionFactory] = [MgmtExtensionFactory(), LintExtensionFactory()]

/// zot-behaviour.md: "an endpoint is listed only when compiled in AND enabled; nothing enabled →
/// `{"extensions":[]}`", and "Present-but-empty extension key enables it: `"search": {}` is on;
/// `"enable": false` is off."
@Test(arguments: [
    ([:], []),
    (["mgmt": json("{}")], ["/v2/_zot/ext/mgmt"]),
    (["mgmt": json(#"{"enable": true}"#)], ["/v2/_zot/ext/mgmt"]),
    (["mgmt": json(#"{"enable": false}"#)], []),
    (["MGMT": json("{}")], ["/v2/_zot/ext/mgmt"]),
    // lint has no endpoint; search is not compiled into this set.
    (["lint": json("{}"), "search": json("{}")], []),
] as [([String: JSONValue], [String])])
func discoverListsCompiledInAndEnabled(_ sections: [String: JSONValue], _ expected: [String]) throws {
    let temporary = try TemporaryStore()
    let set = try ExtensionSet(factories: compiledIn, context: temporary.context(makeConfig(extensions: sections)))
    #expect(set.endpoints == expected)
}

/// Enabled in the config but not compiled in: not listed, whatever the config says.
@Test func enabledButNotCompiledInIsNotListed() throws {
    let temporary = try TemporaryStore()
    let config = makeConfig(extensions: ["mgmt": json("{}"), "lint": json("{}")])
    let set = try ExtensionSet(factories: [LintExtensionFactory()], context: temporary.context(config))
    #expect(set.endpoints.isEmpty)
    #expect(set.extensions.count == 1)
    let none = try ExtensionSet(factories: [], context: temporary.context(config))
    #expect(none.endpoints.isEmpty)
}

/// A lint section zotd cannot honour stops the server from starting.
@Test func badLintSectionFailsStartup() throws {
    let temporary = try TemporaryStore()
    let config = makeConfig(extensions: ["lint": json(#"{"mandatoryAnnotations": 3}"#)])
    #expect(throws: ConfigError.self) {
        try ExtensionSet(factories: compiledIn, context: temporary.context(config))
    }
}
