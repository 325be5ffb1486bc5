import Config
import Foundation
import Testing

@testable import ImageTrustExtension

/// `extensions.trust` as zot writes it, with zotd's `signaturePolicies`.
@Suite struct TrustSettingsTests {
    static func section(_ json: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }

    @Test func zotsSectionTurnsOnEachToolItNames() throws {
        let settings = try TrustSettings(section: Self.section(#"{"enable": true, "cosign": true}"#))
        #expect(settings.cosign && !settings.notation && settings.policies.isEmpty)
    }

    @Test func aPolicyNamesItsRepositoriesAndTool() throws {
        let settings = try TrustSettings(
            section: Self.section(#"{"signaturePolicies": [{"name": "prod", "repositories": ["prod/**"], "tool": "notation"}]}"#))
        let policy = try #require(settings.policies.first)
        #expect(policy.name == "prod" && policy.tool == .notation)
        #expect(policy.covers("prod/app") && !policy.covers("dev/app"))
    }

    @Test(arguments: [
        #"{"cosign": "yes"}"#,
        #"{"signaturePolicies": {}}"#,
        #"{"signaturePolicies": [{"repositories": ["a"]}]}"#,
        #"{"signaturePolicies": [{"name": "p", "repositories": []}]}"#,
        #"{"signaturePolicies": [{"name": "p", "repositories": ["a"], "tool": "gpg"}]}"#,
    ])
    func aMalformedSectionIsRefusedNamingTheKey(_ json: String) throws {
        #expect(throws: ConfigError.self) { try TrustSettings(section: Self.section(json)) }
    }

    @Test func anyToolIsSatisfiedByEitherSignature() {
        #expect(SignaturePolicy.Tool.any.isSatisfied(by: ["notation"]))
        #expect(!SignaturePolicy.Tool.any.isSatisfied(by: []))
        #expect(!SignaturePolicy.Tool.cosign.isSatisfied(by: ["notation"]))
    }
}
