import Testing

@testable import Registry

/// The cookies a session is carried in, as zot sends them and zui reads them.
@Suite struct SessionCookiesTests {
    /// zot `saveUserLoggedSession`: `session` (HttpOnly) first, then `user`, both `Path=/` and 7200 s; `user`
    /// is not HttpOnly, since zui reads it from `document.cookie`.
    @Test func openedSessionSetsSessionThenAReadableUserCookie() {
        let cookies = SessionCookies(secure: false).opened(token: "t0k3n", user: "alice")
        #expect(cookies == [
            "session=t0k3n; Path=/; Max-Age=7200; HttpOnly; SameSite=Strict",
            "user=alice; Path=/; Max-Age=7200",
        ])
    }

    /// zot marks both `Secure` when TLS is on or `http.auth.secureSession` is set.
    @Test func secureServersMarkBothCookiesSecure() {
        let cookies = SessionCookies(secure: true).opened(token: "t", user: "alice") + SessionCookies(secure: true).ended()
        #expect(cookies.allSatisfy { $0.hasSuffix("; Secure") })
    }

    /// A logout expires both cookies at the path they were set with.
    @Test func endedSessionExpiresBothCookies() {
        #expect(SessionCookies(secure: false).ended() == [
            "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
            "user=; Path=/; Max-Age=0",
        ])
    }

    /// Go's `http.SetCookie` drops bytes a cookie value may not hold and quotes one with a space or comma; a
    /// user name can never add an attribute or a second cookie.
    @Test(arguments: [
        ("alice", "alice"),
        ("a;b=c; HttpOnly", "\"ab=c HttpOnly\""),
        ("o,brien", "\"o,brien\""),
        ("zoë\"\\\n", "zo"),
    ])
    func userNamesBecomeSafeCookieValues(name: String, value: String) {
        #expect(SessionCookies.cookieValue(name) == value)
    }
}
