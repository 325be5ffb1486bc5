import Foundation
import Registry
import SearchExtension
import Storage

/// Enforces the signature policies at pull: a manifest of a repository a policy covers is served only when a
/// trusted signature by the tool the policy names covers it, or covers an index listing it (a multi-platform
/// image is signed once, as its index). Signatures and other attachments are always served, or an image
/// could never be checked, nor signed after it was pushed. Verdicts are read at each pull, so one that
/// arrives unblocks the image at once.
struct PullGate: Sendable {
    let policies: [SignaturePolicy]
    let verdicts: any SignatureVerdicts
    let store: RegistryStore

    func check(_ pull: ManifestPull) async throws {
        let covering = policies.filter { $0.covers(pull.repository.value) }
        guard !covering.isEmpty, !Self.isAttachment(pull) else { return }
        var trusted = try await verdicts.trustedTools(of: pull.digest.description, in: pull.repository.value)
        if covering.contains(where: { !$0.tool.isSatisfied(by: trusted) }) {
            for index in try await store.manifestsListing(pull.digest, in: pull.repository) {
                trusted.formUnion(try await verdicts.trustedTools(of: index.description, in: pull.repository.value))
            }
        }
        if let unmet = covering.first(where: { !$0.tool.isSatisfied(by: trusted) }) {
            let tool = unmet.tool == .any ? "cosign or notation" : unmet.tool.rawValue
            throw OCIError(
                .denied,
                detail: "signature policy \(unmet.name): \(pull.repository)@\(pull.digest) has no trusted \(tool) signature")
        }
    }

    /// Media types of the layers of cosign's own manifests: signatures, attestations (DSSE), SBOMs.
    static let attachmentLayerTypes: Set<String> = [
        "application/vnd.dev.cosign.simplesigning.v1+json", "application/vnd.dsse.envelope.v1+json",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    ]

    /// A signature, attestation or other referrer: cosign's `sha256-<hex>.sig|.att|.sbom` tags, a manifest with
    /// a `subject`, or one whose layers are all cosign's.
    static func isAttachment(_ pull: ManifestPull) -> Bool {
        if case .tag(let tag) = pull.reference, tag.value.hasPrefix("sha256-"),
            [".sig", ".att", ".sbom"].contains(where: tag.value.hasSuffix)
        {
            return true
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(pull.content)) else { return false }
        if document.subject != nil { return true }
        guard let layers = document.layers, !layers.isEmpty else { return false }
        return layers.allSatisfy { attachmentLayerTypes.contains($0.mediaType ?? "") }
    }

    private struct Document: Decodable {
        struct Descriptor: Decodable {
            var mediaType: String?
        }

        var subject: Descriptor?
        var layers: [Descriptor]?
    }
}
