import Foundation
import JWTKit

/// The claims zotd reads from a docker token server's JWT.
struct BearerClaims: JWTPayload {
    /// `aud` is a string or an array of strings.
    struct Audience: Codable, Sendable {
        var values: [String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                values = [single]
            } else {
                values = try container.decode([String].self)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(values)
        }
    }

    var sub: String?
    var iss: String?
    var aud: Audience?
    var exp: Double?
    var nbf: Double?
    var iat: Double?
    var access: [TokenGrants.Entry]?

    /// Time claims are checked by `BearerTokenVerifier` once the signature holds, against its own clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
