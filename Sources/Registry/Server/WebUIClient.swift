import Auth
import HTTPTypes
import Hummingbird

/// zot's web UI (zui) marks its requests with `X-ZOT-API-CLIENT: zot-ui` once it knows auth is on
/// (zui `src/api.js` @ fbbd3594). zot treats such a request as coming from a browser page that handles
/// logins itself (`hasSessionHeader` in zot's `pkg/api/authn.go`):
/// - a password that checks out also opens a session, sent back as cookies (`SessionCookies`), because
///   zui sends the password once, with `GET /v2/`, and the cookie afterwards;
/// - a 401 carries no Basic `WWW-Authenticate`, which would make the browser show its own login dialog
///   over zui's. A bearer challenge stays: zot's bearer handler always sends it, and browsers show none.
enum WebUIClient {
    static let headerName = HTTPField.Name("X-ZOT-API-CLIENT")!
    static let headerValue = "zot-ui"

    /// Whether `request` comes from zui. zot compares the first value exactly (`Header.Get`).
    static func sent(_ request: Request) -> Bool {
        request.headers[headerName] == headerValue
    }

    /// Whether a 401 to `request` names the Basic challenge.
    static func wantsChallenge(_ request: Request, _ authenticator: Authenticator) -> Bool {
        authenticator.usesBearerTokens || !sent(request)
    }
}
