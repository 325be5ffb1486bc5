import SwiftASN1
import X509

/// The identity in a TLS client certificate that the server has already verified against `http.tls.cacert`.
public enum ClientCertificate {
    /// The subject's CommonName (the last one, if there are several), from the certificate's DER bytes.
    public static func commonName(derEncoded bytes: [UInt8]) -> String? {
        guard let certificate = try? Certificate(derEncoded: bytes) else { return nil }
        var name: String?
        for relativeName in certificate.subject {
            for attribute in relativeName where attribute.type == ASN1ObjectIdentifier.RDNAttributeType.commonName {
                name = String(attribute.value)
            }
        }
        return name.flatMap { $0.isEmpty ? nil : $0 }
    }
}
