import Foundation

extension IndexedImage {
    /// Derives the entry of a manifest from its bytes and, for an image, its config's bytes.
    init(
        repository: String, digest: String, mediaType: String, manifest bytes: [UInt8], config configBytes: [UInt8]?,
        pushedAt: Date
    ) throws {
        let document = try JSONDecoder().decode(ManifestDocument.self, from: Data(bytes))
        self.init(
            repository: repository, digest: digest, mediaType: mediaType, manifestSize: Int64(bytes.count),
            document: document, config: configBytes, pushedAt: pushedAt)
    }

    /// The same from a manifest already decoded (the indexer decodes it once, to find its config).
    init(
        repository: String, digest: String, mediaType: String, manifestSize: Int64, document: ManifestDocument,
        config configBytes: [UInt8]?, pushedAt: Date
    ) {
        // zot reads a config only when it is an image config.
        let configTypes = ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"]
        let configBytes = configTypes.contains(document.config?.mediaType ?? "") ? configBytes : nil
        let config = configBytes.flatMap { try? JSONDecoder().decode(ImageConfigDocument.self, from: Data($0)) }
        self.repository = repository
        self.digest = digest
        self.mediaType = document.mediaType ?? mediaType
        self.artifactType = document.artifactType ?? document.config?.mediaType
        self.subject = document.subject?.digest
        self.configDigest = document.config?.digest
        self.configMediaType = document.config?.mediaType
        self.configSize = document.config?.size ?? 0
        self.manifestSize = manifestSize
        self.annotations = document.annotations ?? [:]
        self.labels = config?.config?.Labels ?? [:]
        self.author = config?.author
        self.pushedAt = pushedAt
        let layers = (document.layers ?? []).map { IndexedLayer(digest: $0.digest, size: $0.size) }
        self.layers = layers
        self.children = (document.manifests ?? []).map(\.digest)
        var childPlatforms: [String: IndexedPlatform] = [:]
        for child in document.manifests ?? [] {
            if let platform = child.platform, let os = platform.os, let arch = platform.architecture {
                childPlatforms[child.digest] = IndexedPlatform(os: os, arch: arch, variant: platform.variant)
            }
        }
        self.childPlatforms = childPlatforms
        if let config, let os = config.os, let arch = config.architecture {
            platform = IndexedPlatform(os: os, arch: arch, variant: config.variant)
        } else {
            platform = nil
        }
        created = config?.created.flatMap(RFC3339.date)
        history = (config?.history ?? []).map {
            IndexedHistory(
                created: $0.created.flatMap(RFC3339.date), createdBy: $0.created_by, author: $0.author,
                comment: $0.comment, emptyLayer: $0.empty_layer ?? false)
        }
    }
}

/// Parses the RFC 3339 times image configs carry, with or without fractional seconds.
enum RFC3339 {
    static func date(_ text: String) -> Date? {
        let plain = Date.ISO8601FormatStyle()
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? fractional.parse(text)) ?? (try? plain.parse(text))
    }
}
