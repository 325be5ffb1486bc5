import Config
import Foundation
import Testing

@testable import Auth

private func basic(_ user: String, _ secret: String) -> [String] {
    ["Basic " + Data("\(user):\(secret)".utf8).base64EncodedString()]
}

/// An Authenticator over an htpasswd file with alice/wonderland and bob/builder.
private func makeAuthenticator(
    _ directory: TemporaryDirectory, apiKeys: Bool = true, accessControl: AccessControlConfig? = nil,
    failDelay: Duration = .seconds(3)
) async throws -> Authenticator {
    let path = directory.file("htpasswd")
    try (htpasswdLine("alice", "wonderland") + "\n" + htpasswdLine("bob", "builder") + "\n")
        .write(toFile: path, atomically: true, encoding: .utf8)
    return try await Authenticator(
        auth: AuthConfig(htpasswdPath: path, apiKeys: apiKeys, failDelay: failDelay),
        accessControl: accessControl, realm: "zotd-test", clientCertificates: .ignored,
        records: .sqlite(path: directory.file("zotd.db")), logger: quietLogger)
}

private let teamOnly = AccessControlConfig(repositories: [
    "team/**": RepositoryRules(policies: [AccessRule(users: ["alice"], actions: [.read, .create])]),
    "public/**": RepositoryRules(defaultPolicy: [.read], anonymousPolicy: [.read]),
])

@Test func rightPasswordIsAllowedAndWrongOneChallengedAfterTheFailDelay() async throws {
    let directory = try TemporaryDirectory()
    let auth = try await makeAuthenticator(directory)
    guard case .allow(let caller) = await auth.decide(AuthRequest(authorization: basic("alice", "wonderland")), .anyCaller) else {
        Issue.record("alice refused")
        return
    }
    #expect(caller.identity.name == "alice" && caller.identity.method == .password)
    guard case .challenge(let header, let delay, _, _) = await auth.decide(AuthRequest(authorization: basic("alice", "nope")), .anyCaller)
    else {
        Issue.record("wrong password accepted")
        return
    }
    #expect(header == "Basic realm=\"zotd-test\"" && delay == .seconds(3))
}

/// No credentials is no failed login: challenged at once, without the fail delay.
@Test func anonymousIsChallengedWithoutDelay() async throws {
    let directory = try TemporaryDirectory()
    let auth = try await makeAuthenticator(directory)
    guard case .challenge(_, let delay, _, _) = await auth.decide(AuthRequest(authorization: []), .anyCaller) else {
        Issue.record("anonymous admitted")
        return
    }
    #expect(delay == .zero)
}

/// "403 DENIED for an authenticated caller without the right, 401 for an anonymous one."
@Test func knownCallerWithoutTheRightIsDeniedAnonymousIsChallenged() async throws {
    let directory = try TemporaryDirectory()
    let auth = try await makeAuthenticator(directory, accessControl: teamOnly)
    let push = Requirement.permissions([Permission(.create, on: "public/x")])
    guard case .deny(let caller, let missing) = await auth.decide(AuthRequest(authorization: basic("bob", "builder")), push) else {
        Issue.record("bob not denied")
        return
    }
    #expect(caller.identity.name == "bob" && missing == Permission(.create, on: "public/x"))
    guard case .challenge = await auth.decide(AuthRequest(authorization: []), push) else {
        Issue.record("anonymous push not challenged")
        return
    }
    guard case .allow = await auth.decide(AuthRequest(authorization: []), .permissions([Permission(.read, on: "public/x")]))
    else {
        Issue.record("anonymous read of public refused")
        return
    }
    // Anonymous access somewhere lets anonymous callers reach /v2/, but never the API key endpoints.
    guard case .allow = await auth.decide(AuthRequest(authorization: []), .anyCaller) else {
        Issue.record("anonymous refused at /v2/")
        return
    }
    guard case .challenge = await auth.decide(AuthRequest(authorization: []), .signedIn) else {
        Issue.record("anonymous admitted where a signed-in caller is needed")
        return
    }
}

@Test func apiKeyReplacesThePasswordWithinItsScopes() async throws {
    let directory = try TemporaryDirectory()
    let auth = try await makeAuthenticator(directory, accessControl: teamOnly)
    let keys = try #require(auth.apiKeys)
    let (key, _) = try await keys.create(user: "alice", label: "ci", scopes: ["team/app"], expiresAt: nil, userAgent: "t")
    let request = AuthRequest(authorization: basic("alice", key))
    guard case .allow(let caller) = await auth.decide(request, .permissions([Permission(.create, on: "team/app")])) else {
        Issue.record("key refused in scope")
        return
    }
    #expect(caller.identity.method == .apiKey)
    guard case .deny = await auth.decide(request, .permissions([Permission(.read, on: "team/other")])) else {
        Issue.record("key used outside its scope")
        return
    }
    guard case .challenge = await auth.decide(AuthRequest(authorization: basic("bob", key)), .anyCaller) else {
        Issue.record("alice's key accepted for bob")
        return
    }
    // A key cannot open a session: logins take a password.
    guard case .challenge = await auth.decide(request, .passwordLogin) else {
        Issue.record("key accepted for login")
        return
    }
}

@Test func expiredApiKeyIsRefused() async throws {
    let directory = try TemporaryDirectory()
    let auth = try await makeAuthenticator(directory)
    let keys = try #require(auth.apiKeys)
    let (key, _) = try await keys.create(
        user: "alice", label: "old", scopes: nil, expiresAt: Date().addingTimeInterval(-1), userAgent: "t")
    guard case .challenge = await auth.decide(AuthRequest(authorization: basic("alice", key)), .anyCaller) else {
        Issue.record("expired key accepted")
        return
    }
}

@Test func sessionCookieSignsInUntilLogout() async throws {
    let directory = try TemporaryDirectory()
    let auth = try await makeAuthenticator(directory)
    let sessions = try #require(auth.sessions)
    let (token, _) = try await sessions.open(user: "bob")
    guard case .allow(let caller) = await auth.decide(AuthRequest(authorization: [], cookies: ["session=\(token)"]), .anyCaller)
    else {
        Issue.record("session refused")
        return
    }
    #expect(caller.identity.name == "bob" && caller.identity.method == .session)
    try await sessions.close(token: token)
    guard case .challenge = await auth.decide(AuthRequest(authorization: [], cookies: ["session=\(token)"]), .anyCaller) else {
        Issue.record("closed session accepted")
        return
    }
}

@Test func bearerChallengeNamesTheScopeTheRequestNeeds() async throws {
    let server = try await TokenServer()
    let auth = try await Authenticator(
        auth: AuthConfig(bearer: BearerConfig(realm: "https://auth.example/token", service: "zotd-test", certificatePath: "x")),
        accessControl: nil, realm: nil, clientCertificates: .ignored, records: nil,
        bearerKeyPEM: server.certificatePEM, logger: quietLogger)
    let push = Requirement.permissions([Permission(.create, on: "team/app"), Permission(.read, on: "base/img")])
    #expect(
        auth.challenge(for: push)
            == #"Bearer realm="https://auth.example/token",service="zotd-test",scope="repository:team/app:pull,push repository:base/img:pull""#
    )
    // A token without the right scope is challenged (the client fetches a better token), not denied.
    var claims = TestClaims()
    claims.access = [.init(type: "repository", name: "team/app", actions: ["pull"])]
    let token = try await server.token(claims)
    guard case .challenge = await auth.decide(AuthRequest(authorization: ["Bearer \(token)"]), push) else {
        Issue.record("token without push allowed to push")
        return
    }
    guard case .allow = await auth.decide(
        AuthRequest(authorization: ["Bearer \(token)"]), .permissions([Permission(.read, on: "team/app")]))
    else {
        Issue.record("token refused for pull")
        return
    }
    // Passwords are not taken in bearer mode.
    guard case .challenge = await auth.decide(AuthRequest(authorization: basic("alice", "wonderland")), .anyCaller) else {
        Issue.record("basic accepted in bearer mode")
        return
    }
}
