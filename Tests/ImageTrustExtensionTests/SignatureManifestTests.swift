import Crypto
import Foundation
import Testing

@testable import ImageTrustExtension

/// Which pushed manifests are signatures, of what, and how a cosign layer verifies.
@Suite struct SignatureManifestTests {
    static let subject = "sha256:" + String(repeating: "ab", count: 32)

    static func manifest(_ fields: [String: Any]) throws -> [UInt8] {
        var document: [String: Any] = ["schemaVersion": 2, "layers": [["mediaType": "x", "digest": subject, "size": 1]]]
        document.merge(fields) { $1 }
        return Array(try JSONSerialization.data(withJSONObject: document))
    }

    @Test func cosignsSignatureTagNamesTheSignedDigest() throws {
        let tag = "sha256-" + String(repeating: "ab", count: 32) + ".sig"
        let signature = try #require(SignatureManifest(repository: "r", digest: "sha256:1", tags: [tag], content: Self.manifest([:])))
        #expect(signature.tool == .cosign && signature.reference.subject == Self.subject)
    }

    @Test func aNotationReferrerSignsItsSubject() throws {
        let content = try Self.manifest([
            "artifactType": "application/vnd.cncf.notary.signature", "subject": ["digest": Self.subject, "size": 1],
        ])
        let signature = try #require(SignatureManifest(repository: "r", digest: "sha256:1", tags: [], content: content))
        #expect(signature.tool == .notation && signature.reference.subject == Self.subject)
    }

    @Test func anImageOrAnSBOMReferrerSignsNothing() throws {
        #expect(SignatureManifest(repository: "r", digest: "sha256:1", tags: ["v1"], content: try Self.manifest([:])) == nil)
        let sbom = try Self.manifest(["artifactType": "application/spdx+json", "subject": ["digest": Self.subject, "size": 1]])
        #expect(SignatureManifest(repository: "r", digest: "sha256:1", tags: [], content: sbom) == nil)
    }

    @Test func aCosignLayerVerifiesOnlyWithItsKeyAndForItsSubject() throws {
        let key = P256.Signing.PrivateKey()
        let publicKey = try CosignPublicKey(pem: Array(key.publicKey.pemRepresentation.utf8))
        let payload = Array(#"{"critical":{"image":{"docker-manifest-digest":"\#(Self.subject)"}}}"#.utf8)
        let signature = try key.signature(for: SHA256.hash(data: payload)).derRepresentation.base64EncodedString()
        let annotations = [CosignVerification.signatureAnnotation: signature]
        let trusted = CosignVerification.verify(payload: payload, annotations: annotations, subject: Self.subject, keys: [publicKey])
        #expect((try? trusted.get())?.pem == publicKey.pem)
        let other = try CosignPublicKey(pem: Array(P256.Signing.PrivateKey().publicKey.pemRepresentation.utf8))
        #expect(throws: SignatureProblem.self) {
            try CosignVerification.verify(payload: payload, annotations: annotations, subject: Self.subject, keys: [other]).get()
        }
        #expect(throws: SignatureProblem.self) {
            try CosignVerification.verify(payload: payload, annotations: annotations, subject: "sha256:00", keys: [publicKey]).get()
        }
    }

    @Test func aKeyThatIsNotAPublicKeyIsRefused() {
        #expect(throws: TrustMaterialError.self) { try CosignPublicKey(pem: Array("garbage".utf8)) }
    }
}
