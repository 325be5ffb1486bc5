import Foundation
import X509

/// The kinds of notation trust store zot keeps (notation-go's `truststore.Types`): `ca` roots verify
/// signatures of the `notary.x509` scheme, `signingAuthority` roots those of `notary.x509.signingAuthority`.
enum TruststoreType: String, Sendable, CaseIterable {
    case ca
    case signingAuthority
    case tsa
}

/// Certificates uploaded to `/v2/_zot/ext/notation`, as one upload holds them: PEM (one or more) or DER.
struct NotationCertificates: Sendable {
    let certificates: [Certificate]

    /// - Throws: `TrustMaterialError.invalidCertificate` for anything but certificates a trust store may hold
    ///   (each a CA, or self-signed), as notation's `ValidateCertificates`.
    init(bytes: [UInt8]) throws(TrustMaterialError) {
        var parsed: [Certificate] = []
        if let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN") {
            do {
                parsed = try Self.pemBlocks(text).map { try Certificate(pemEncoded: $0) }
            } catch {
                throw .invalidCertificate("PEM that is not a certificate: \(error)")
            }
        } else if let certificate = try? Certificate(derEncoded: bytes) {
            parsed = [certificate]
        }
        guard !parsed.isEmpty else { throw .invalidCertificate("neither a PEM nor a DER certificate") }
        for certificate in parsed {
            guard Self.isCertificateAuthority(certificate) || certificate.issuer == certificate.subject else {
                throw .invalidCertificate("\(certificate.subject) is neither a CA certificate nor self-signed")
            }
        }
        certificates = parsed
    }

    private static func isCertificateAuthority(_ certificate: Certificate) -> Bool {
        guard case .isCertificateAuthority? = try? certificate.extensions.basicConstraints else { return false }
        return true
    }

    /// Each `CERTIFICATE` block of a PEM text, with its armour.
    private static func pemBlocks(_ text: String) -> [String] {
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var blocks: [String] = []
        var rest = text[...]
        while let start = rest.range(of: begin), let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) {
            blocks.append(String(rest[start.lowerBound..<stop.upperBound]))
            rest = rest[stop.upperBound...]
        }
        return blocks
    }
}
