import Config
import Crypto
import CryptoExtras
import Foundation
import JWTKit
import SwiftASN1
import Testing
import X509

@testable import Auth

/// A token server's key pair, with a self-signed certificate as zot's `bearer.cert` expects.
struct TokenServer {
    let key: P256.Signing.PrivateKey
    let certificatePEM: String
    let keys: JWTKeyCollection

    init() async throws {
        key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("token server") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(),
            issuerPrivateKey: .init(key))
        certificatePEM = try certificate.serializeAsPEM().pemString
        keys = await JWTKeyCollection().add(ecdsa: try ES256PrivateKey(backing: key))
    }

    func token(_ claims: TestClaims) async throws -> String {
        try await keys.sign(claims)
    }
}

struct TestClaims: JWTPayload {
    var sub: String? = "ci"
    var aud: String? = "zotd-test"
    var exp: Double? = Date().addingTimeInterval(300).timeIntervalSince1970
    var nbf: Double?
    var access: [TokenGrants.Entry]? = [.init(type: "repository", name: "team/app", actions: ["pull", "push"])]
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

private let config = BearerConfig(realm: "https://auth.example/token", service: "zotd-test", certificatePath: "unused")

private func b64url(_ data: some DataProtocol) -> String {
    Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

private func refused(_ verifier: BearerTokenVerifier, _ token: String) async -> String? {
    do {
        _ = try await verifier.verify(token)
        return nil
    } catch {
        return error.reason
    }
}

@Test func validTokenGivesItsSubjectAndGrants() async throws {
    let server = try await TokenServer()
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    let identity = try await verifier.verify(try await server.token(TestClaims()))
    #expect(identity.name == "ci" && identity.method == .bearer)
    #expect(identity.grants?.allows(Permission(.create, on: "team/app")) == true)
    #expect(identity.grants?.allows(Permission(.delete, on: "team/app")) == false)
}

@Test func tokenSignedByAnotherKeyIsRefused() async throws {
    let (server, impostor) = (try await TokenServer(), try await TokenServer())
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    #expect(await refused(verifier, try await impostor.token(TestClaims())) != nil)
}

@Test func tamperedPayloadIsRefused() async throws {
    let server = try await TokenServer()
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    let parts = try await server.token(TestClaims()).split(separator: ".").map(String.init)
    var claims = TestClaims()
    claims.access = [.init(type: "repository", name: "*", actions: ["*"])]
    let forged = try b64url(JSONEncoder().encode(claims))
    #expect(await refused(verifier, [parts[0], forged, parts[2]].joined(separator: ".")) != nil)
}

/// `alg: none` with no signature must never be taken for a signed token.
@Test func unsignedAlgNoneTokenIsRefused() async throws {
    let server = try await TokenServer()
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    let header = b64url(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
    let payload = b64url(try JSONEncoder().encode(TestClaims()))
    #expect(await refused(verifier, "\(header).\(payload).") != nil)
    #expect(await refused(verifier, "\(header).\(payload)") != nil)
    let upper = b64url(Data(#"{"alg":"NONE"}"#.utf8))
    #expect(await refused(verifier, "\(upper).\(payload).") != nil)
}

/// The classic confusion: HS256 keyed with the public certificate as the HMAC secret.
@Test func hmacWithThePublicKeyAsSecretIsRefused() async throws {
    let server = try await TokenServer()
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    let header = b64url(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    let payload = b64url(try JSONEncoder().encode(TestClaims()))
    let mac = HMAC<SHA256>.authenticationCode(
        for: Data("\(header).\(payload)".utf8), using: SymmetricKey(data: Data(server.certificatePEM.utf8)))
    #expect(await refused(verifier, "\(header).\(payload).\(b64url(Data(mac)))") == "algorithm HS256 does not fit the configured key")
}

@Test(arguments: [
    ("expired", -3600.0, nil as Double?, "zotd-test" as String?, "token expired"),
    ("not yet valid", 3600, 1800, "zotd-test", "token not valid yet (nbf)"),
    ("another service", 300, nil, "other-registry", "token is for another service (aud)"),
    ("no audience", 300, nil, nil, "token is for another service (aud)"),
])
func tokenOutsideItsValidityOrAudienceIsRefused(
    _ name: String, expiresIn: Double, notBeforeIn: Double?, audience: String?, reason: String
) async throws {
    let server = try await TokenServer()
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    var claims = TestClaims()
    claims.exp = Date().addingTimeInterval(expiresIn).timeIntervalSince1970
    claims.nbf = notBeforeIn.map { Date().addingTimeInterval($0).timeIntervalSince1970 }
    claims.aud = audience
    #expect(await refused(verifier, try await server.token(claims)) == reason)
}

@Test func tokenWithoutExpiryIsRefused() async throws {
    let server = try await TokenServer()
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    var claims = TestClaims()
    claims.exp = nil
    #expect(await refused(verifier, try await server.token(claims)) == "token has no expiry (exp)")
}

@Test(arguments: ["", "a", "a.b", "a.b.c.d", "....", "!!.??.**", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
    String(repeating: "A", count: 20000) + ".e30.sig"])
func garbageTokensAreRefused(token: String) async throws {
    let server = try await TokenServer()
    let verifier = try await BearerTokenVerifier(config: config, pem: server.certificatePEM)
    #expect(await refused(verifier, token) != nil)
}

/// An RSA certificate (what most token servers use) takes RS256 and refuses ES256.
@Test func rsaCertificateVerifiesRS256() async throws {
    let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    let name = try DistinguishedName { CommonName("rsa token server") }
    let certificate = try Certificate(
        version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(rsa.publicKey),
        notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
        issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(),
        issuerPrivateKey: .init(rsa))
    let verifier = try await BearerTokenVerifier(config: config, pem: try certificate.serializeAsPEM().pemString)
    #expect(verifier.acceptedAlgorithms.contains("RS256") && !verifier.acceptedAlgorithms.contains("ES256"))
    let keys = await JWTKeyCollection().add(rsa: try Insecure.RSA.PrivateKey(backing: rsa), digestAlgorithm: .sha256)
    let identity = try await verifier.verify(try await keys.sign(TestClaims()))
    #expect(identity.name == "ci")
    #expect(await refused(verifier, try await TokenServer().token(TestClaims())) != nil)
}
