import Foundation

/// Checks one layer of a cosign signature manifest: the layer's bytes are the signed payload (a "simple
/// signing" document naming the signed manifest's digest), its annotation `dev.cosignproject.cosign/signature`
/// the base64 signature over them (sigstore's `SimpleContainerImage`, cosign's tag and referrer modes alike).
enum CosignVerification {
    static let signatureAnnotation = "dev.cosignproject.cosign/signature"

    /// The key that verifies the layer, or why none does.
    static func verify(
        payload: [UInt8], annotations: [String: String], subject: String, keys: [CosignPublicKey]
    ) -> Result<CosignPublicKey, SignatureProblem> {
        guard let encoded = annotations[signatureAnnotation] else {
            return .failure(.unsupported("a cosign layer without \(signatureAnnotation) (a sigstore bundle) is not verified"))
        }
        guard let signature = Data(base64Encoded: encoded) else { return .failure(.malformed("the signature is not base64")) }
        guard let document = try? JSONDecoder().decode(SimpleSigning.self, from: Data(payload)) else {
            return .failure(.malformed("the payload is not a simple signing document"))
        }
        guard document.critical.image.dockerManifestDigest == subject else {
            return .failure(.wrongSubject(document.critical.image.dockerManifestDigest))
        }
        guard let key = keys.first(where: { $0.verifies(Array(signature), of: payload) }) else {
            return .failure(.untrusted(keys.isEmpty ? "no cosign public key is uploaded" : "no uploaded cosign key verifies it"))
        }
        return .success(key)
    }

    private struct SimpleSigning: Decodable {
        struct Critical: Decodable {
            struct Image: Decodable {
                var dockerManifestDigest: String

                enum CodingKeys: String, CodingKey {
                    case dockerManifestDigest = "docker-manifest-digest"
                }
            }

            var image: Image
        }

        var critical: Critical
    }
}

/// Why a signature is not trusted, for the log.
enum SignatureProblem: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case unsupported(String)
    /// The signature is over another manifest than the one it is attached to.
    case wrongSubject(String)
    case untrusted(String)
    case unreadable(String)

    var description: String {
        switch self {
        case .malformed(let reason): "malformed: \(reason)"
        case .unsupported(let reason): "unsupported: \(reason)"
        case .wrongSubject(let named): "the signed payload names \(named), not the manifest it is attached to"
        case .untrusted(let reason): "untrusted: \(reason)"
        case .unreadable(let reason): "unreadable: \(reason)"
        }
    }
}
