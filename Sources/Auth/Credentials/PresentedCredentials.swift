import Foundation

/// What a request's `Authorization` header offers, read without trusting it.
///
/// Every oddity (several headers, an unknown scheme, bad base64, a missing colon, control characters,
/// absurd lengths) becomes `.malformed`, which is refused like wrong credentials: never a crash, never a
/// partial reading.
public enum PresentedCredentials: Sendable, Equatable {
    /// No `Authorization` header.
    case none
    /// HTTP Basic: a user name and a password or API key.
    case basic(user: String, secret: String)
    /// A bearer token.
    case bearer(String)
    /// Something that is not usable credentials; the reason is for debug logs and never holds the secret.
    case malformed(String)

    /// The longest `Authorization` value read, in bytes. Real ones are far shorter; longer ones are refused
    /// before any decoding work.
    public static let maximumHeaderLength = 8192
    /// The longest user name accepted, in bytes.
    public static let maximumUserLength = 256
    /// The longest password or key accepted, in bytes. bcrypt reads 72 of them; API keys have 36.
    public static let maximumSecretLength = 1024

    /// Reads the values of every `Authorization` header of a request.
    public init(authorizationHeaders values: [String]) {
        guard let value = values.first else {
            self = .none
            return
        }
        guard values.count == 1 else {
            self = .malformed("more than one Authorization header")
            return
        }
        guard value.utf8.count <= Self.maximumHeaderLength else {
            self = .malformed("Authorization header too long")
            return
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else {
            self = .malformed("no credentials after the scheme")
            return
        }
        let scheme = trimmed[..<space].lowercased()
        let rest = trimmed[space...].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "basic": self = Self.readBasic(rest)
        case "bearer": self = Self.readBearer(rest)
        default: self = .malformed("unsupported scheme")
        }
    }

    private static func readBasic(_ encoded: String) -> PresentedCredentials {
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else {
            return .malformed("Basic credentials are not base64")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .malformed("Basic credentials are not UTF-8")
        }
        guard let colon = text.firstIndex(of: ":") else {
            return .malformed("Basic credentials have no colon")
        }
        let user = String(text[..<colon])
        let secret = String(text[text.index(after: colon)...])
        guard !user.isEmpty, user.utf8.count <= maximumUserLength,
            !user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return .malformed("unusable user name") }
        guard !secret.isEmpty, secret.utf8.count <= maximumSecretLength, !secret.utf8.contains(0) else {
            return .malformed("unusable password")
        }
        return .basic(user: user, secret: secret)
    }

    private static func readBearer(_ token: String) -> PresentedCredentials {
        let allowed = token.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "="):
                true
            default: false
            }
        }
        guard !token.isEmpty, allowed else { return .malformed("bearer token has characters no JWT has") }
        return .bearer(token)
    }
}

/// The session token in a request's `Cookie` headers, if one is well formed.
public enum SessionCookie {
    /// The cookie's name, as zot names it.
    public static let name = "session"

    /// The value of the `session` cookie in any of `cookieHeaders`, if it has the shape zotd issues
    /// (64 lower-case hex digits); anything else is ignored.
    public static func token(in cookieHeaders: [String]) -> String? {
        for header in cookieHeaders {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix(name + "=") else { continue }
                let value = trimmed.dropFirst(name.count + 1)
                if value.utf8.count == 64, value.utf8.allSatisfy(\.isLowerHexDigit) { return String(value) }
            }
        }
        return nil
    }
}

extension UInt8 {
    var isLowerHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
    }
}
