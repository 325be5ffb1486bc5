import Auth

/// The `Set-Cookie` values of a session, as zot sends them (`saveUserLoggedSession` and `Logout` in zot's
/// `pkg/api`), so zui works against zotd unchanged.
///
/// - `session` holds the token. The name is zot's: zui never reads it (it is HttpOnly), but a browser that
///   moves from zot to zotd on the same origin then replaces zot's cookie instead of keeping two.
///   `SameSite=Strict` is zotd's addition: zotd accepts the cookie without zui's header, where zot
///   requires the header, and Strict keeps other sites' pages from riding on it.
/// - `user` holds the user name, not HttpOnly: zui reads it from `document.cookie` to know that it is
///   logged in and whom to show (zui `src/utilities/authUtilities.js` @ fbbd3594). It is no credential.
struct SessionCookies: Sendable {
    /// `Secure` on both, when TLS is on or `http.auth.secureSession` is set.
    let secure: Bool

    /// zot's `cookiesMaxAge`; a session lasts as long (`SessionStore.lifetime`).
    static let maxAge = Int(SessionStore.lifetime)

    /// Both cookies of a session just opened for `user` with `token`: `session` first, as zot sends them.
    func opened(token: String, user: String) -> [String] {
        [session(token), userCookie(Self.cookieValue(user), maxAge: Self.maxAge)]
    }

    /// The session cookie alone (`POST /zot/auth/login`, zotd's own login).
    func session(_ token: String) -> String {
        finished("\(SessionCookie.name)=\(token); Path=/; Max-Age=\(Self.maxAge); HttpOnly; SameSite=Strict")
    }

    /// Both cookies expired, for a logout. zot expires only `session` and leaves `user` to zui, but zui
    /// deletes it without a `Path`, which misses the `Path=/` cookie on any page below the top level; zui
    /// would then still show the user as logged in.
    func ended() -> [String] {
        [finished("\(SessionCookie.name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"), userCookie("", maxAge: 0)]
    }

    private func userCookie(_ value: String, maxAge: Int) -> String {
        finished("user=\(value); Path=/; Max-Age=\(maxAge)")
    }

    private func finished(_ cookie: String) -> String {
        secure ? cookie + "; Secure" : cookie
    }

    /// `name` as Go's `http.SetCookie` writes a cookie value: bytes outside RFC 6265's cookie octets
    /// (controls, `"`, `;`, `\`, non-ASCII) are dropped, and a value with a space or comma is quoted.
    static func cookieValue(_ name: String) -> String {
        let kept = String(
            decoding: name.utf8.filter { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "\\") },
            as: UTF8.self)
        return kept.contains(" ") || kept.contains(",") ? "\"\(kept)\"" : kept
    }
}
