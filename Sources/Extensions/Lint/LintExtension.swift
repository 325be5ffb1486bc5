import Config
import Foundation
import Registry
import Storage

/// Refuses image manifests that lack a mandatory annotation, as zot's `pkg/extensions/lint` does.
///
/// What is checked, in zot's order:
/// 1. Only OCI image manifests (`application/vnd.oci.image.manifest.v1+json`); indexes, Docker manifests
///    and artifact manifests pass, and so do signatures: a cosign tag `sha256-<hex>.sig`, or an artifact
///    type (or config media type) of cosign's or notation's signatures.
/// 2. An annotation counts when the manifest's `annotations` has its key, whatever the value.
/// 3. Those still missing are then looked for among the config blob's `config.Labels`.
///
/// A manifest still missing some is refused with 400 `MANIFEST_INVALID`, its detail naming them.
struct LintExtension: RegistryExtension {
    /// The annotation keys every image must carry, in the order the config lists them, without repeats.
    let mandatoryAnnotations: [String]

    /// The largest config blob read for its labels. zot reads it whole; the bound keeps one push from
    /// pulling an arbitrary blob into memory. A larger config counts as having no labels.
    static let configSizeLimit = 16 * 1024 * 1024

    /// Artifact types of signatures, which zot never lints.
    static let signatureArtifactTypes: Set<String> = [
        "application/vnd.dev.cosign.artifact.sig.v1+json",  // cosign, OCI 1.1 referrer
        "application/vnd.cncf.notary.signature",  // notation
    ]

    init(mandatoryAnnotations: [String]) {
        var seen: Set<String> = []
        self.mandatoryAnnotations = mandatoryAnnotations.filter { seen.insert($0).inserted }
    }


    func check(_ manifest: ManifestSubmission) async throws {
        guard !mandatoryAnnotations.isEmpty, manifest.mediaType == .ociManifest,
            // Not JSON: the store refuses it with its own error.
            let document = try? JSONDecoder().decode(JSONValue.self, from: Data(manifest.content)),
            !Self.isSignature(document, reference: manifest.reference)
        else { return }

        var missing = Self.missing(mandatoryAnnotations, from: document["annotations"])
        guard !missing.isEmpty else { return }

        let configDigest = document["config"]?["digest"]?.stringValue.flatMap { try? Digest(parsing: $0) }
        if let configDigest, let bytes = try await manifest.readBlob(configDigest, Self.configSizeLimit),
            let config = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        {
            missing = Self.missing(missing, from: config["config"]?["Labels"])
        }
        guard missing.isEmpty else {
            // A config that is absent or unreadable leaves its labels unknown: refused too, since accepting
            // would let an image without the annotations in.
            throw OCIError(
                .manifestInvalid,
                detail: "missing mandatory annotations: \(missing.joined(separator: ", ")) "
                    + "(looked in the manifest's annotations and its config's labels)"
            )
        }
    }

    /// The keys of `required` that the JSON object `found` lacks.
    static func missing(_ required: [String], from found: JSONValue?) -> [String] {
        let keys = found?.objectValue.map { Set($0.keys) } ?? []
        return required.filter { !keys.contains($0) }
    }

    /// zot's `IsSignature` for an image manifest: a cosign tag, or a signature's artifact type.
    static func isSignature(_ document: JSONValue, reference: Reference) -> Bool {
        if case .tag(let tag) = reference, tag.value.hasPrefix("sha256-"), tag.value.hasSuffix(".sig") {
            return true
        }
        // zot's `GetManifestArtifactType`: `artifactType`, else the config's media type.
        let declared = document["artifactType"]?.stringValue ?? ""
        let artifactType = declared.isEmpty ? document["config"]?["mediaType"]?.stringValue : declared
        return artifactType.map(signatureArtifactTypes.contains) ?? false
    }
}
