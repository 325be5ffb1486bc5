import Foundation
import Testing

@testable import Auth

private func basic(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }

@Test func wellFormedBasicCredentialsAreRead() {
    #expect(PresentedCredentials(authorizationHeaders: [basic("alice:s3cret:with:colons")]) == .basic(user: "alice", secret: "s3cret:with:colons"))
    #expect(PresentedCredentials(authorizationHeaders: ["bAsIc " + Data("a:b".utf8).base64EncodedString()]) == .basic(user: "a", secret: "b"))
    #expect(PresentedCredentials(authorizationHeaders: ["Bearer abc.def.ghi"]) == .bearer("abc.def.ghi"))
    #expect(PresentedCredentials(authorizationHeaders: []) == PresentedCredentials.none)
}

/// Attack surface: every malformed Authorization header is refused cleanly, never read in part.
@Test(arguments: [
    ["Basic"], ["Basic "], ["Basic !!!not-base64!!!"], ["Basic " + Data("no-colon".utf8).base64EncodedString()],
    [basic(":password")], [basic("user:")], [basic("us\u{1}er:pw")], [basic("user:pw\u{0}more")],
    ["Basic " + Data([0xFF, 0xFE, 0x3A, 0x41]).base64EncodedString()],
    [basic(String(repeating: "u", count: 300) + ":pw")], [basic("user:" + String(repeating: "p", count: 2000))],
    ["Basic " + String(repeating: "QUFB", count: 3000)], ["Digest username=\"a\""], ["Negotiate abc"], ["Token"],
    ["Bearer "], ["Bearer a b"], ["Bearer <script>"], [basic("a:b"), basic("c:d")], ["Bearer x", basic("a:b")],
])
func malformedAuthorizationIsRefused(headers: [String]) {
    guard case .malformed = PresentedCredentials(authorizationHeaders: headers) else {
        Issue.record("accepted \(headers.map { $0.prefix(40) })")
        return
    }
}

@Test func sessionCookieIsFoundOnlyInItsOwnShape() {
    let token = String(repeating: "ab", count: 32)
    #expect(SessionCookie.token(in: ["theme=dark; session=\(token); other=1"]) == token)
    #expect(SessionCookie.token(in: ["session=\(token.uppercased())"]) == nil)
    #expect(SessionCookie.token(in: ["session=short"]) == nil)
    #expect(SessionCookie.token(in: ["xsession=\(token)"]) == nil)
    #expect(SessionCookie.token(in: []) == nil)
}
