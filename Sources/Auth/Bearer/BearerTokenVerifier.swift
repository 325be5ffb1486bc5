import Config
import Crypto
import CryptoExtras
import Foundation
import JWTKit
import X509

/// Verifies tokens of an external docker token server (`http.auth.bearer`) against the certificate (or public
/// key) configured in `cert`.
///
/// A token is accepted only when all of these hold; anything else is a `BearerRefusal`:
/// - its header names an algorithm that fits the configured key (`RS*`/`PS*` for RSA, `ES256/384/512` for
///   the matching curve, `EdDSA` for Ed25519). `none`, `HS*` (which would turn the public key into an HMAC
///   secret) and every other algorithm are refused before any signature work;
/// - the signature verifies with the configured key;
/// - it has an `exp` that has not passed and no `nbf` still to come (one minute of clock skew allowed, as
///   distribution allows);
/// - its `aud` names the configured `service`.
public struct BearerTokenVerifier: Sendable {
    /// Why a token was refused; for debug logs, never holding the token.
    public struct BearerRefusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Clock skew tolerated on `exp` and `nbf`.
    public static let leeway: TimeInterval = 60
    /// The longest token read, in bytes.
    public static let maximumTokenLength = 16 * 1024

    public let config: BearerConfig
    /// Algorithm name → a key collection holding the configured key for that algorithm.
    private let keys: [String: JWTKeyCollection]

    /// Reads the key from the PEM text of a certificate or a public key.
    public init(config: BearerConfig, pem: String) async throws {
        self.config = config
        let publicKey: Certificate.PublicKey
        if pem.contains("BEGIN CERTIFICATE") {
            publicKey = try Certificate(pemEncoded: pem).publicKey
        } else {
            publicKey = try Certificate.PublicKey(pemEncoded: pem)
        }
        var keys: [String: JWTKeyCollection] = [:]
        if let key = P256.Signing.PublicKey(publicKey) {
            keys["ES256"] = await JWTKeyCollection().add(ecdsa: try ES256PublicKey(backing: key))
        } else if let key = P384.Signing.PublicKey(publicKey) {
            keys["ES384"] = await JWTKeyCollection().add(ecdsa: try ES384PublicKey(backing: key))
        } else if let key = P521.Signing.PublicKey(publicKey) {
            keys["ES512"] = await JWTKeyCollection().add(ecdsa: try ES512PublicKey(backing: key))
        } else if let key = Curve25519.Signing.PublicKey(publicKey) {
            keys["EdDSA"] = await JWTKeyCollection().add(eddsa: EdDSA.PublicKey(backing: key))
        } else if let key = _RSA.Signing.PublicKey(publicKey) {
            let rsa = try Insecure.RSA.PublicKey(backing: key)
            for (name, digest) in [("256", DigestAlgorithm.sha256), ("384", .sha384), ("512", .sha512)] {
                keys["RS" + name] = await JWTKeyCollection().add(rsa: rsa, digestAlgorithm: digest)
                keys["PS" + name] = await JWTKeyCollection().add(pss: rsa, digestAlgorithm: digest)
            }
        } else {
            throw BearerRefusal(reason: "the key in the certificate is of a kind zotd cannot verify tokens with")
        }
        self.keys = keys
    }

    /// The algorithms tokens may use with the configured key.
    public var acceptedAlgorithms: [String] { keys.keys.sorted() }

    /// The identity a valid token stands for: its subject, with its `access` grants.
    public func verify(_ token: String, now: Date = Date()) async throws(BearerRefusal) -> Identity {
        guard token.utf8.count <= Self.maximumTokenLength else { throw BearerRefusal(reason: "token too long") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw BearerRefusal(reason: "not a signed JWT (header.payload.signature)")
        }
        guard let headerData = Self.base64URLDecode(parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw BearerRefusal(reason: "unreadable JWT header") }
        guard header.crit == nil else { throw BearerRefusal(reason: "critical header extensions are not supported") }
        guard let collection = keys[header.alg] else {
            throw BearerRefusal(reason: "algorithm \(header.alg.prefix(16)) does not fit the configured key")
        }
        let claims: BearerClaims
        do {
            claims = try await collection.verify(token, as: BearerClaims.self)
        } catch {
            throw BearerRefusal(reason: "signature or payload invalid")
        }
        let seconds = now.timeIntervalSince1970
        guard let exp = claims.exp else { throw BearerRefusal(reason: "token has no expiry (exp)") }
        guard exp + Self.leeway > seconds else { throw BearerRefusal(reason: "token expired") }
        if let nbf = claims.nbf, nbf - Self.leeway > seconds {
            throw BearerRefusal(reason: "token not valid yet (nbf)")
        }
        if !config.service.isEmpty {
            guard let audience = claims.aud?.values, audience.contains(config.service) else {
                throw BearerRefusal(reason: "token is for another service (aud)")
            }
        }
        return Identity(name: claims.sub ?? "", method: .bearer, grants: TokenGrants(claims.access ?? []))
    }

    private struct Header: Decodable {
        var alg: String
        var crit: [String]?
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") || base64.hasSuffix("=") else { return nil }
        base64 = base64.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
