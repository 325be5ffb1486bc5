import Foundation

/// What search shows of an image config: platform, creation, labels, author and history. Derived once per
/// config digest (a digest's content never changes): the tags and copies of one build share a config, and
/// decoding it with its dates again cost each of their pushes as much as the rest of its indexing.
struct ImageConfigSummary: Sendable, Equatable {
    var platform: IndexedPlatform?
    /// The config's `created`.
    var created: Date?
    /// `config.Labels`, where zot looks when an annotation is missing.
    var labels: [String: String]
    /// `author`, zot's last resort for `Authors`.
    var author: String?
    var history: [IndexedHistory]

    /// The media types zot reads a config of: an image config, OCI's or docker's.
    static let imageConfigTypes: Set<String> = [
        "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json",
    ]

    /// nil for bytes that are not an image config.
    init?(bytes: [UInt8]) {
        guard let config = try? JSONDecoder().decode(ImageConfigDocument.self, from: Data(bytes)) else { return nil }
        if let os = config.os, let arch = config.architecture {
            platform = IndexedPlatform(os: os, arch: arch, variant: config.variant)
        }
        created = config.created.flatMap(RFC3339.date)
        labels = config.config?.Labels ?? [:]
        author = config.author
        history = (config.history ?? []).map {
            IndexedHistory(
                created: $0.created.flatMap(RFC3339.date), createdBy: $0.created_by, author: $0.author,
                comment: $0.comment, emptyLayer: $0.empty_layer ?? false)
        }
    }
}

/// Config summaries by config digest, shared by indexing and reading.
struct ConfigSummaries: Sendable {
    private let cache = TextKeyedCache<ImageConfigSummary?>(capacity: 4096)

    /// The summary of the config `digest` names, derived from `bytes` unless already known.
    func summary(of digest: String, bytes: [UInt8]) -> ImageConfigSummary? {
        cache.value(for: digest) { _ in ImageConfigSummary(bytes: bytes) }
    }
}
