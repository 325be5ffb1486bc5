import Foundation
import Testing

@testable import Config

/// A config with `http` members `http`.
private func config(http: String) -> String {
    "{\"storage\": {\"rootDirectory\": \"/tmp/zot\"}, \"http\": {\(http)}}"
}

private let zotConfigs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../shared/reference/zot-configs").standardized
private let zotConfigsPresent = FileManager.default.fileExists(atPath: zotConfigs.path)

@Test func authSectionIsRead() throws {
    let (loaded, warnings) = try load(
        config(
            http: """
                "realm": "zot", "auth": {"htpasswd": {"path": "/etc/zot/htpasswd"}, "apikey": true, "failDelay": 5,
                "sessionKeysFile": "keys.json", "secureSession": true}
                """))
    #expect(warnings.isEmpty)
    #expect(
        loaded.http.authConfig
            == AuthConfig(htpasswdPath: "/etc/zot/htpasswd", apiKeys: true, failDelay: .seconds(5), secureSession: true))
    #expect(loaded.http.auth?["htpasswd"]?["path"] == .string("/etc/zot/htpasswd"))
}

@Test func bearerSectionIsRead() throws {
    let (loaded, _) = try load(
        config(http: #""auth": {"bearer": {"realm": "https://auth/token", "service": "reg", "cert": "/c.pem"}}"#))
    #expect(loaded.http.authConfig?.bearer == BearerConfig(realm: "https://auth/token", service: "reg", certificatePath: "/c.pem"))
}

@Test func tlsSectionIsRead() throws {
    let (loaded, _) = try load(config(http: #""tls": {"cert": "s.crt", "key": "s.key", "cacert": "ca.crt"}"#))
    #expect(loaded.http.tlsConfig == TLSConfig(certificatePath: "s.crt", keyPath: "s.key", clientCAPath: "ca.crt"))
}

@Test func accessControlSectionIsRead() throws {
    let (loaded, warnings) = try load(
        config(
            http: """
                "accessControl": {
                  "groups": {"devs": {"users": ["ann", "bo"]}},
                  "repositories": {
                    "**": {"policies": [{"users": ["ann"], "groups": ["devs"], "actions": ["read", "create"]}],
                           "defaultPolicy": ["read"], "anonymousPolicy": ["read", "detectManifestCollision"]},
                    "tmp/*": {"defaultPolicy": ["read", "create", "update", "delete"]}
                  },
                  "adminPolicy": {"users": ["root"], "actions": ["read", "delete"]},
                  "metrics": {"users": ["prom"]}
                }
                """))
    let access = try #require(loaded.http.accessControlConfig)
    #expect(access.groups == ["devs": ["ann", "bo"]])
    #expect(
        access.repositories["**"]
            == RepositoryRules(
                policies: [AccessRule(users: ["ann"], groups: ["devs"], actions: [.read, .create])],
                defaultPolicy: [.read], anonymousPolicy: [.read]))
    #expect(access.repositories["tmp/*"]?.defaultPolicy == Set(RepositoryAction.allCases))
    #expect(access.adminPolicy == AccessRule(users: ["root"], actions: [.read, .delete]))
    #expect(access.metrics == MetricsRule(users: ["prom"]))
    #expect(warnings.map(\.keyPath) == [#"http.accessControl.repositories["**"].anonymousPolicy[1]"#])
}

@Test(arguments: [
    (#""auth": {"htpasswd": {}}"#, "http.auth.htpasswd.path: required, expected the path of an htpasswd file of bcrypt hashes (htpasswd -B)"),
    (#""auth": {"failDelay": "5s"}"#, "http.auth.failDelay: expected a whole number from 0 to 3600, got \"5s\""),
    (#""auth": {"bearer": {"realm": "r"}}"#, "http.auth.bearer.cert: required, expected the path of the token server's certificate (PEM)"),
    (#""tls": {"cert": "c"}"#, "http.tls.key: required, expected the server key's path (PEM)"),
    (#""accessControl": {"repositories": {"**": {"defaultPolicy": ["write"]}}}"#,
     #"http.accessControl.repositories["**"].defaultPolicy[0]: expected one of read, create, update, delete, got "write""#),
    (#""accessControl": {"repositories": {"a[": {}}}"#,
     #"http.accessControl.repositories["a["]: expected a repository pattern, got "a[": unterminated [ ]"#),
    (#""accessControl": {"repositories": {"**": {"policies": {}}}}"#,
     #"http.accessControl.repositories["**"].policies: expected an array of policies, got an object"#),
    (#""auth": {"mtls": {}}"#, "http.tls.cacert: required, expected the CA that client certificates chain to, for http.auth.mtls"),
])
func badAuthSettingsNameTheirKey(http: String, message: String) {
    #expect(refusal(config(http: http))?.description == message)
}

@Test(arguments: [
    (#""auth": {"ldap": {"address": "x"}}"#, "http.auth.ldap"),
    (#""auth": {"openid": {}}"#, "http.auth.openid"),
    (#""auth": {"bearer": {"realm": "r", "cert": "c", "oidc": [{}]}}"#, "http.auth.bearer.oidc"),
    (#""tls": {"cert": "c", "key": "k", "cacert": "a"}, "auth": {"mtls": {"identityAttributes": ["URI"]}}"#,
     "http.auth.mtls.identityAttributes[0]"),
    (#""accessControl": {"repositories": {"**": {"policies": [{"users": ["a"], "actions": ["read"], "conditions": [{"expression": "x"}]}]}}}"#,
     #"http.accessControl.repositories["**"].policies[0].conditions"#),
])
func unsupportedAuthSettingsAreRefused(http: String, keyPath: String) {
    let error = refusal(config(http: http))
    #expect(error?.isUnsupported == true)
    #expect(error?.keyPath == keyPath)
}

@Test(
    .enabled(if: zotConfigsPresent),
    arguments: [
        "config-bearer-auth.json", "config-tls.json", "config-mtls.json", "config-anonymous-authz.json",
        "config-metrics-authz.json", "config-metrics-authn-anonymous-access.json",
    ])
func zotAuthExampleConfigsLoad(name: String) throws {
    _ = try ConfigLoader.load(path: zotConfigs.appendingPathComponent(name).path)
}

/// config-policy.json's prod/** policy has CEL conditions that zotd cannot evaluate.
@Test(.enabled(if: zotConfigsPresent))
func zotPolicyExampleIsRefusedForItsConditions() {
    #expect(throws: ConfigError.self) {
        try ConfigLoader.load(path: zotConfigs.appendingPathComponent("config-policy.json").path)
    }
    do {
        _ = try ConfigLoader.load(path: zotConfigs.appendingPathComponent("config-policy.json").path)
    } catch {
        #expect(error.keyPath == #"http.accessControl.repositories["prod/**"].policies[0].conditions"#)
    }
}
