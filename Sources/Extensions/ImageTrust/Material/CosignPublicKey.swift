import Crypto
import Foundation
import CryptoExtras

/// A public key cosign signatures are checked against, as uploaded to `/v2/_zot/ext/cosign` (PEM): ECDSA
/// P-256 or P-384, Ed25519, or RSA of 2048 bits or more.
struct CosignPublicKey: Sendable {
    private enum Key: Sendable {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    private let key: Key
    /// The PEM as uploaded: what zot names as the `Author` of a signature the key verifies.
    let pem: String

    /// - Throws: `TrustMaterialError.invalidKey` for anything but a PEM public key of a supported kind.
    init(pem bytes: [UInt8]) throws(TrustMaterialError) {
        guard let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN") else {
            throw .invalidKey("not a PEM public key")
        }
        if let key = try? P256.Signing.PublicKey(pemRepresentation: text) {
            self.key = .p256(key)
        } else if let key = try? P384.Signing.PublicKey(pemRepresentation: text) {
            self.key = .p384(key)
        } else if let key = try? Curve25519.Signing.PublicKey(pemRepresentation: text) {
            self.key = .ed25519(key)
        } else if let key = try? _RSA.Signing.PublicKey(pemRepresentation: text) {
            self.key = .rsa(key)
        } else {
            throw .invalidKey("not an ECDSA P-256 or P-384, Ed25519 or RSA (2048 bits or more) public key")
        }
        pem = text
    }

    /// Whether `signature` is this key's over `payload`, as cosign signs: SHA-256 whatever the curve or key
    /// size, ECDSA signatures DER-encoded, RSA with PKCS #1 v1.5 padding (sigstore's `LoadVerifier`).
    func verifies(_ signature: [UInt8], of payload: [UInt8]) -> Bool {
        let digest = SHA256.hash(data: payload)
        switch key {
        case .p256(let key):
            guard let signature = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: digest)
        case .p384(let key):
            guard let signature = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: digest)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: payload)
        case .rsa(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5)
        }
    }
}

/// Why uploaded trust material was refused: a 400 naming the reason.
enum TrustMaterialError: Error, Equatable, CustomStringConvertible {
    case invalidKey(String)
    case invalidCertificate(String)
    case invalidTruststoreType(String)

    var description: String {
        switch self {
        case .invalidKey(let reason): "invalid public key: \(reason)"
        case .invalidCertificate(let reason): "invalid certificate: \(reason)"
        case .invalidTruststoreType(let type): "invalid truststoreType \(type): ca, signingAuthority or tsa"
        }
    }
}
