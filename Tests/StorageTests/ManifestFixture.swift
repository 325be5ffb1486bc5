import Foundation

@testable import Storage

/// Manifests as `MetadataStore.putManifest` takes them, for the metadata suites: the metadata never reads blob
/// bytes, so the blobs they reference need only be linked.
enum ManifestFixture {
    static let configType = "application/vnd.oci.image.config.v1+json"

    /// An OCI image manifest over `blobs` (the first one its config). `label` goes into its annotations, so
    /// that two manifests over the same blobs differ.
    static func image(
        _ label: String, in repository: RepositoryName, blobs: [Digest], subject: Digest? = nil,
        artifactType: String? = nil, createdAt: Double = RegistryStore.now
    ) throws -> NewManifest {
        var object: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": ManifestMediaType.ociManifest.rawValue,
            "config": descriptor(blobs[0], type: configType),
            "layers": blobs.dropFirst().map { descriptor($0, type: "application/vnd.oci.image.layer.v1.tar") },
            "annotations": ["label": label],
        ]
        if let subject { object["subject"] = descriptor(subject, type: ManifestMediaType.ociManifest.rawValue) }
        if let artifactType { object["artifactType"] = artifactType }
        return try record(object, in: repository, createdAt: createdAt)
    }

    /// An OCI index listing `children`.
    static func index(
        _ label: String, in repository: RepositoryName, children: [Digest], createdAt: Double = RegistryStore.now
    ) throws -> NewManifest {
        let object: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": ManifestMediaType.ociIndex.rawValue,
            "manifests": children.map { descriptor($0, type: ManifestMediaType.ociManifest.rawValue) },
            "annotations": ["label": label],
        ]
        return try record(object, in: repository, createdAt: createdAt)
    }

    private static func descriptor(_ digest: Digest, type: String) -> [String: Any] {
        ["mediaType": type, "digest": digest.description, "size": 1]
    }

    private static func record(_ object: [String: Any], in repository: RepositoryName, createdAt: Double) throws
        -> NewManifest
    {
        let bytes = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        return NewManifest(
            repository: repository, digest: sha256(bytes), parsed: try ParsedManifest(bytes: bytes, contentType: nil),
            content: bytes, createdAt: createdAt)
    }
}

/// The digest of a blob the metadata suites link without storing it.
func blobDigest(_ label: String) -> Digest { sha256(Array("blob \(label)".utf8)) }

func tag(_ name: String) -> Tag { try! Tag(parsing: name) }

extension MetadataStore {
    /// Links each of `digests`, of `size` bytes, to `repository`.
    func link(_ digests: [Digest], size: Int64 = 10, to repository: RepositoryName) async throws {
        for digest in digests { try await linkBlob(digest, size: size, to: repository) }
    }

    /// Links an image's blobs to its repository, then stores it under `tags`.
    func putWithBlobs(_ manifest: NewManifest, tags: [Tag] = []) async throws {
        try await link(manifest.parsed.blobs, to: manifest.repository)
        try await putManifest(manifest, tags: tags)
    }
}
