import Foundation

extension IndexedImage {
    /// Derives the entry of a manifest from its bytes and, for an image, its config's summary.
    init(
        repository: String, digest: String, mediaType: String, manifest bytes: [UInt8], config: ImageConfigSummary?,
        pushedAt: Date
    ) throws {
        let document = try JSONDecoder().decode(ManifestDocument.self, from: Data(bytes))
        self.init(
            repository: repository, digest: digest, mediaType: mediaType, manifestSize: Int64(bytes.count),
            document: document, config: config, pushedAt: pushedAt)
    }

    /// The same from a manifest already decoded (the indexer decodes it once, to find its config).
    init(
        repository: String, digest: String, mediaType: String, manifestSize: Int64, document: ManifestDocument,
        config: ImageConfigSummary?, pushedAt: Date
    ) {
        // zot reads a config only when it is an image config.
        let config = ImageConfigSummary.imageConfigTypes.contains(document.config?.mediaType ?? "") ? config : nil
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
        self.labels = config?.labels ?? [:]
        self.author = config?.author
        self.pushedAt = pushedAt
        self.layers = (document.layers ?? []).map { IndexedLayer(digest: $0.digest, size: $0.size) }
        self.children = (document.manifests ?? []).map(\.digest)
        var childPlatforms: [String: IndexedPlatform] = [:]
        for child in document.manifests ?? [] {
            if let platform = child.platform, let os = platform.os, let arch = platform.architecture {
                childPlatforms[child.digest] = IndexedPlatform(os: os, arch: arch, variant: platform.variant)
            }
        }
        self.childPlatforms = childPlatforms
        self.platform = config?.platform
        self.created = config?.created
        self.history = config?.history ?? []
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
