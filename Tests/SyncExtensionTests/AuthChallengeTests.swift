import Testing

@testable import SyncExtension

/// `WWW-Authenticate` as registries send it.
@Suite struct AuthChallengeTests {
    /// distribution's token challenge, from its `auth/token` access controller.
    @Test func parsesDockersBearerChallenge() throws {
        let challenge = try #require(
            AuthChallenge(header: #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:library/alpine:pull""#))
        #expect(challenge.isBearer)
        #expect(challenge.parameters["realm"] == "https://auth.example/token")
        #expect(challenge.parameters["service"] == "registry.example")
        #expect(challenge.parameters["scope"] == "repository:library/alpine:pull")
    }

    @Test func parsesBasicWithQuotedEscapesAndTokens() throws {
        let challenge = try #require(AuthChallenge(header: #"Basic realm="a \"quoted\" realm", charset=UTF-8"#))
        #expect(challenge.isBasic)
        #expect(challenge.parameters["realm"] == #"a "quoted" realm"#)
        #expect(challenge.parameters["charset"] == "UTF-8")
    }

    @Test func anEmptyHeaderIsNoChallenge() {
        #expect(AuthChallenge(header: "   ") == nil)
    }
}
