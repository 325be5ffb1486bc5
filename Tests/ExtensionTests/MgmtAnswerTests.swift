import Config
import Foundation
import Storage
import Testing

@testable import MgmtExtension
@testable import Registry

/// The answer as a client decodes it.
private func answer(_ config: RegistryConfig, build: MgmtBuildInfo = MgmtBuildInfo()) throws -> (
    object: [String: Any], text: String
) {
    let data = try JSONEncoder().encode(StrippedConfig(config: config, build: build))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return (object, String(decoding: data, as: UTF8.self))
}

/// Every secret-bearing setting zot knows, each holding a value that must never appear in an answer.
private let everyAuthMethod = json(
    """
    {
      "htpasswd": {"path": "/etc/zot/SECRET-htpasswd-path"},
      "ldap": {"address": "SECRET-ldap.example.com", "port": 636, "bindDN": "cn=SECRET-bind-dn",
               "bindPassword": "SECRET-bind-password", "credentialsFile": "/etc/zot/SECRET-ldap-credentials",
               "baseDN": "ou=SECRET-base", "userAttribute": "uid"},
      "bearer": {"realm": "https://auth.example.com/token", "service": "zot-registry",
                 "cert": "/etc/zot/SECRET-bearer-cert.pem"},
      "openid": {"providers": {
        "GitHub": {"name": "GitHub login", "clientid": "SECRET-client-id", "clientsecret": "SECRET-client-secret",
                   "keypath": "/etc/zot/SECRET-key", "issuer": "https://SECRET-issuer", "scopes": ["read:org"]},
        "dex": {"credentialsFile": "/etc/zot/SECRET-dex-credentials"}
      }},
      "apikey": true,
      "failDelay": 5,
      "sessionKeysFile": "/etc/zot/SECRET-session-keys",
      "mtls": {"identityAttributes": ["SECRET-mtls"]}
    }
    """)

/// zot-behaviour.md, Extensions: mgmt answers "which auth methods are on (htpasswd, bearer realm/service,
/// openid providers, ldap, apikey), never secrets".
@Test func answerNamesEveryEnabledMethodAndNoSecret() throws {
    let (object, text) = try answer(makeConfig(auth: everyAuthMethod))
    let http = try #require(object["http"] as? [String: Any])
    let auth = try #require(http["auth"] as? [String: Any])

    #expect((auth["htpasswd"] as? [String: Any])?.isEmpty == true)
    let bearer = try #require(auth["bearer"] as? [String: String])
    #expect(bearer == ["realm": "https://auth.example.com/token", "service": "zot-registry"])
    let providers = try #require((auth["openid"] as? [String: Any])?["providers"] as? [String: [String: String]])
    #expect(providers == ["github": ["name": "GitHub login"], "dex": [:]])
    #expect(auth["apikey"] as? Bool == true)
    // zot folds LDAP into `htpasswd: {}` ("send a user name and password") and never names it.
    #expect(auth["ldap"] == nil)
    #expect(Set(auth.keys) == ["htpasswd", "bearer", "openid", "apikey"])

    #expect(!text.contains("SECRET"), "the answer leaks a secret: \(text)")
}

/// zot's README_mgmt.md: "If ldap or htpasswd are enabled mgmt will return `{"htpasswd": {}}`".
@Test(arguments: [
    #"{"htpasswd": {"path": "/etc/zot/htpasswd"}}"#,
    #"{"ldap": {"address": "ldap.example.com", "bindPassword": "pw"}}"#,
])
func basicLoginIsAnEmptyHtpasswdMember(_ auth: String) throws {
    let (object, text) = try answer(makeConfig(auth: json(auth)))
    let section = try #require((object["http"] as? [String: Any])?["auth"] as? [String: Any])
    #expect(Set(section.keys) == ["htpasswd"])
    #expect((section["htpasswd"] as? [String: Any])?.isEmpty == true)
    #expect(!text.contains("/etc/zot") && !text.contains("ldap.example.com") && !text.contains("pw"))
}

/// zot's `Auth.MarshalJSON`: an htpasswd section without a path, or OpenID without providers, enables
/// nothing and is left out.
@Test func sectionsThatEnableNothingAreLeftOut() throws {
    let auth = json(#"{"htpasswd": {"path": ""}, "openid": {"providers": {}}, "apikey": false, "failDelay": 1}"#)
    let (object, _) = try answer(makeConfig(auth: auth))
    let section = try #require((object["http"] as? [String: Any])?["auth"] as? [String: Any])
    #expect(section.isEmpty)
}

/// zot leaves `auth` out of `http` when the config has no `http.auth`.
@Test func noAuthSectionMeansNoAuthMember() throws {
    let (object, text) = try answer(
        makeConfig(), build: MgmtBuildInfo(commit: "abc123", releaseTag: "v0.1.0", binaryType: "-mgmt"))
    #expect((object["http"] as? [String: Any])?.isEmpty == true)
    #expect(object["distSpecVersion"] as? String == "1.1.1")
    #expect(object["commit"] as? String == "abc123")
    #expect(object["releaseTag"] as? String == "v0.1.0")
    #expect(object["binaryType"] as? String == "-mgmt")
    #expect(!text.contains("/tmp/zotd-extension-tests"), "the storage root is not for clients")
}

/// Newer zot: `allowAnonymousAccess` when some repository has an anonymous policy.
@Test func anonymousPolicyIsReported() throws {
    let access = json(#"{"repositories": {"**": {"anonymousPolicy": ["read"], "policies": []}}}"#)
    let (object, _) = try answer(makeConfig(auth: json(#"{"apikey": true}"#), accessControl: access))
    let section = try #require((object["http"] as? [String: Any])?["auth"] as? [String: Any])
    #expect(section["allowAnonymousAccess"] as? Bool == true)
}

/// Newer zot's storage summary: GC, its interval in Go's format, dedupe, retention policies summarised.
@Test func storageSummaryHasNoPaths() throws {
    let retention = json(
        """
        {"policies": [{"repositories": ["infra/*"], "deleteReferrers": true,
                       "keepTags": [{"patterns": ["v.*"]}, {"mostRecentlyPushedCount": 5}]}]}
        """)
    let storage = StorageConfig(
        rootDirectory: "/srv/SECRET-root", dedupe: false, gcInterval: .seconds(5400), retention: retention,
        storageDriver: json(#"{"name": "local", "secretkey": "SECRET-key"}"#))
    let (object, text) = try answer(makeConfig(storage: storage))
    let summary = try #require(object["storage"] as? [String: Any])
    #expect(summary["gc"] as? Bool == true)
    #expect(summary["dedupe"] as? Bool == false)
    #expect(summary["gcInterval"] as? String == "1h30m0s")
    let policies = try #require(summary["retention"] as? [[String: Any]])
    #expect(policies.count == 1)
    #expect(policies.first?["repositories"] as? [String] == ["infra/*"])
    #expect(policies.first?["deleteReferrers"] as? Bool == true)
    #expect(policies.first?["deleteUntagged"] as? Bool == true)
    #expect(policies.first?["keepTags"] as? Int == 2)
    #expect(!text.contains("SECRET"))
}

/// `?resource=config`, or no resource, is the config; anything else is refused (zot 2.0's 400).
@Test(arguments: [(String?.none, true), ("config", true), ("signatures", false), ("", false), ("Config", false)])
func resourceQuery(_ query: String?, served: Bool) {
    #expect((MgmtResource(query: query) != nil) == served)
}

@Test func binaryTypeListsLabelsLikeZot() {
    #expect(MgmtBuildInfo.binaryType(labels: ["metrics", "mgmt", "lint"]) == "-metrics-mgmt-lint")
    #expect(MgmtBuildInfo.binaryType(labels: []) == "")
}

/// With default traits (`swift test`), the answer names the compiled-in labels as zot's Makefile does.
@Test func defaultBinaryTypeNamesCompiledLabels() {
    #expect(MgmtBuildInfo().binaryType == MgmtBuildInfo.binaryType(labels: CompiledLabels.current))
    #expect(CompiledLabels.current.contains("mgmt") == MgmtBuildInfo().binaryType.contains("-mgmt"))
}
