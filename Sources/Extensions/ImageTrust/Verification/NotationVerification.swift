import Crypto
import Foundation
// The chain is judged at the `now` the caller passes, as the expiry and signing-time checks are: the
// policy's own clock would make a verification's outcome depend on when its parts ran.
@_spi(FixedExpiryValidationTime) import X509
import CryptoExtras

/// Checks a notation signature in its envelope, JWS (`application/jose+json`) or COSE (`application/cose`),
/// as the Notary Project's signature specification defines them: the payload names the signed manifest, the protected
/// header's algorithm verifies over `protected.payload` with the leaf certificate of `x5c`, the signing time
/// lies within the leaf's validity, the envelope has not expired, and the chain leads to a certificate of the
/// trust store its signing scheme names, valid now, from a leaf fit to sign code (notation's strict level,
/// without revocation checks).
enum NotationVerification {
    static let jwsMediaType = "application/jose+json"
    static let coseMediaType = "application/cose"
    static let payloadContentType = "application/vnd.cncf.notary.payload.v1+json"

    /// The verified leaf certificate, or why the envelope is not trusted.
    static func verify(
        envelope bytes: [UInt8], mediaType: String, subject: String, roots: [TruststoreType: [Certificate]], now: Date
    ) async -> Result<Certificate, SignatureProblem> {
        let envelope: NotationEnvelope
        do {
            switch mediaType {
            case jwsMediaType: envelope = try NotationEnvelope(jws: bytes)
            case coseMediaType: envelope = try NotationEnvelope(cose: bytes)
            default: return .failure(.unsupported("notation envelopes of type \(mediaType)"))
            }
        } catch {
            return .failure(error)
        }
        guard envelope.payload.targetArtifact.digest == subject else {
            return .failure(.wrongSubject(envelope.payload.targetArtifact.digest))
        }
        guard let leaf = envelope.chain.first else { return .failure(.malformed("x5c names no certificate")) }
        if let problem = signingCertificateProblem(leaf) { return .failure(.untrusted(problem)) }
        guard envelope.signatureVerifies(with: leaf) else {
            return .failure(.untrusted("the signature does not verify with the leaf certificate"))
        }
        guard leaf.notValidBefore <= envelope.signingTime, envelope.signingTime <= leaf.notValidAfter else {
            return .failure(.untrusted("signed at \(envelope.signingTime), outside the leaf certificate's validity"))
        }
        if let expiry = envelope.expiry, expiry < now {
            return .failure(.untrusted("the signature expired at \(expiry)"))
        }
        let storeType: TruststoreType = envelope.signingScheme == "notary.x509.signingAuthority" ? .signingAuthority : .ca
        let trusted = roots[storeType] ?? []
        guard !trusted.isEmpty else { return .failure(.untrusted("no \(storeType.rawValue) certificate is uploaded")) }
        var verifier = Verifier(rootCertificates: CertificateStore(trusted)) { RFC5280Policy(fixedExpiryValidationTime: now) }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(Array(envelope.chain.dropFirst())))
        guard case .validCertificate = result else {
            return .failure(.untrusted("the certificate chain does not lead to an uploaded \(storeType.rawValue) certificate, valid now"))
        }
        return .success(leaf)
    }

    /// Why `leaf` may not sign code, as notation judges a signing certificate: not a CA, a key usage that
    /// includes digital signatures, and an extended key usage, when there is one, that includes code signing.
    static func signingCertificateProblem(_ leaf: Certificate) -> String? {
        if case .isCertificateAuthority? = try? leaf.extensions.basicConstraints { return "the signing certificate is a CA" }
        guard let usage = try? leaf.extensions.keyUsage, usage.digitalSignature else {
            return "the signing certificate's key usage does not allow digital signatures"
        }
        if let extended = try? leaf.extensions.extendedKeyUsage, !extended.contains(.codeSigning) {
            return "the signing certificate's extended key usage does not include code signing"
        }
        return nil
    }

    /// zot's `Author` of a notation signature: the leaf's subject as Go prints a name (`CN=…,O=…,C=…`).
    static func author(_ leaf: Certificate) -> String { leaf.subject.description }
}

/// What a notation envelope says, whichever its format: the signed bytes and the signature over them, the
/// algorithm (JWS's names), the signing scheme and times, the certificate chain (leaf first) and the payload.
struct NotationEnvelope {
    var signingInput: [UInt8]
    var signature: [UInt8]
    var algorithm: String
    var signingScheme: String
    var signingTime: Date
    var expiry: Date?
    var chain: [Certificate]
    var payload: Payload

    static let signingSchemes: Set<String> = ["notary.x509", "notary.x509.signingAuthority"]
    /// The critical headers notation defines, all of which this verifier checks.
    static let understoodCritical: Set<String> = [
        "io.cncf.notary.signingScheme", "io.cncf.notary.expiry", "io.cncf.notary.authenticSigningTime",
    ]

    struct Payload: Decodable {
        struct Descriptor: Decodable {
            var digest: String
        }

        var targetArtifact: Descriptor
    }

    init(
        signingInput: [UInt8], signature: [UInt8], algorithm: String, signingScheme: String, signingTime: Date,
        expiry: Date?, chain: [Certificate], payload: Payload
    ) {
        self.signingInput = signingInput
        self.signature = signature
        self.algorithm = algorithm
        self.signingScheme = signingScheme
        self.signingTime = signingTime
        self.expiry = expiry
        self.chain = chain
        self.payload = payload
    }

    /// A JWS envelope as notation writes it: `{"payload", "protected", "header": {"x5c": [...]}, "signature"}`.
    init(jws bytes: [UInt8]) throws(SignatureProblem) {
        guard let envelope = try? JSONDecoder().decode(Serialized.self, from: Data(bytes)) else {
            throw .malformed("not a JWS JSON envelope")
        }
        guard let protectedBytes = Base64URL.decode(envelope.protected),
            let header = try? JSONDecoder().decode(ProtectedHeader.self, from: Data(protectedBytes))
        else { throw .malformed("the protected header is not base64url JSON") }
        guard header.cty == NotationVerification.payloadContentType else {
            throw .malformed("the payload's content type is \(header.cty ?? "missing")")
        }
        guard let scheme = header.signingScheme, Self.signingSchemes.contains(scheme) else {
            throw .unsupported("signing scheme \(header.signingScheme ?? "missing")")
        }
        guard let critical = header.crit, critical.contains("io.cncf.notary.signingScheme"),
            critical.allSatisfy(Self.understoodCritical.contains)
        else { throw .malformed("crit must name the signing scheme and nothing unknown") }
        guard let time = (header.signingTime ?? header.authenticSigningTime).flatMap(Self.date) else {
            throw .malformed("no signing time")
        }
        guard let payloadBytes = Base64URL.decode(envelope.payload),
            let payload = try? JSONDecoder().decode(Payload.self, from: Data(payloadBytes))
        else { throw .malformed("the payload is not base64url JSON naming a target artifact") }
        guard let signature = Base64URL.decode(envelope.signature) else { throw .malformed("the signature is not base64url") }
        var chain: [Certificate] = []
        for encoded in envelope.header?.x5c ?? [] {
            guard let der = Data(base64Encoded: encoded), let certificate = try? Certificate(derEncoded: Array(der)) else {
                throw .malformed("x5c holds something that is not a DER certificate")
            }
            chain.append(certificate)
        }
        signingInput = Array("\(envelope.protected).\(envelope.payload)".utf8)
        self.signature = signature
        algorithm = header.alg
        signingScheme = scheme
        signingTime = time
        expiry = header.expiry.flatMap(Self.date)
        self.chain = chain
        self.payload = payload
    }

    /// JWS's algorithms as notation uses them: RSASSA-PSS or ECDSA (`r||s`) with SHA-256, -384 or -512.
    func signatureVerifies(with leaf: Certificate) -> Bool {
        let key = leaf.publicKey
        switch algorithm {
        case "PS256", "PS384", "PS512":
            guard let rsa = _RSA.Signing.PublicKey(key) else { return false }
            let signature = _RSA.Signing.RSASignature(rawRepresentation: self.signature)
            switch algorithm {
            case "PS256": return rsa.isValidSignature(signature, for: SHA256.hash(data: signingInput), padding: .PSS)
            case "PS384": return rsa.isValidSignature(signature, for: SHA384.hash(data: signingInput), padding: .PSS)
            default: return rsa.isValidSignature(signature, for: SHA512.hash(data: signingInput), padding: .PSS)
            }
        case "ES256":
            guard let ec = P256.Signing.PublicKey(key), let signature = try? P256.Signing.ECDSASignature(rawRepresentation: self.signature)
            else { return false }
            return ec.isValidSignature(signature, for: SHA256.hash(data: signingInput))
        case "ES384":
            guard let ec = P384.Signing.PublicKey(key), let signature = try? P384.Signing.ECDSASignature(rawRepresentation: self.signature)
            else { return false }
            return ec.isValidSignature(signature, for: SHA384.hash(data: signingInput))
        case "ES512":
            guard let ec = P521.Signing.PublicKey(key), let signature = try? P521.Signing.ECDSASignature(rawRepresentation: self.signature)
            else { return false }
            return ec.isValidSignature(signature, for: SHA512.hash(data: signingInput))
        default:
            return false
        }
    }

    private static func date(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    private struct Serialized: Decodable {
        struct Unprotected: Decodable {
            var x5c: [String]?
        }

        var payload: String
        var protected: String
        var header: Unprotected?
        var signature: String
    }

    private struct ProtectedHeader: Decodable {
        var alg: String
        var cty: String?
        var crit: [String]?
        var signingScheme: String?
        var signingTime: String?
        var authenticSigningTime: String?
        var expiry: String?

        enum CodingKeys: String, CodingKey {
            case alg, cty, crit
            case signingScheme = "io.cncf.notary.signingScheme"
            case signingTime = "io.cncf.notary.signingTime"
            case authenticSigningTime = "io.cncf.notary.authenticSigningTime"
            case expiry = "io.cncf.notary.expiry"
        }
    }
}

/// base64url without padding (RFC 7515), as JWS encodes.
enum Base64URL {
    static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
