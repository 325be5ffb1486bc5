import Foundation

/// zot's reading of an image's descriptive fields: the OCI annotation, else the label-schema one, first in
/// the manifest's annotations and then in the config's labels; `""` when none has it.
struct ImageDescription: Sendable {
    /// Where to look, in order.
    let sources: [[String: String]]
    /// The config's author, for `Authors` of an image (not of an index).
    var configAuthor: String?

    init(_ image: IndexedImage) {
        sources = [image.annotations, image.labels]
        configAuthor = image.author
    }

    /// An index: its own annotations, then its first image's.
    init(index: IndexedImage, first: IndexedImage?) {
        sources = [index.annotations] + (first.map { [$0.annotations, $0.labels] } ?? [])
    }

    private func value(_ key: String, else fallback: String?) -> String {
        for source in sources {
            if let value = source[key], !value.isEmpty { return value }
            if let fallback, let value = source[fallback], !value.isEmpty { return value }
        }
        return ""
    }

    var description: String { value("org.opencontainers.image.description", else: "org.label-schema.description") }
    var licenses: String { value("org.opencontainers.image.licenses", else: "org.label-schema.license") }
    var title: String { value("org.opencontainers.image.title", else: "org.label-schema.name") }
    var documentation: String { value("org.opencontainers.image.documentation", else: "org.label-schema.usage") }
    var source: String { value("org.opencontainers.image.source", else: "org.label-schema.vcs-url") }
    var vendor: String { value("org.opencontainers.image.vendor", else: "org.label-schema.vendor") }
    var authors: String {
        let declared = value("org.opencontainers.image.authors", else: nil)
        return declared.isEmpty ? configAuthor ?? "" : declared
    }
    var labelsField: String { value("org.label-schema.labels", else: nil) }
    /// The creation time an annotation or label declares, when it parses.
    var created: Date? { RFC3339.date(value("org.opencontainers.image.created", else: "org.label-schema.build-date")) }

    /// A repository's vendor, which zot reads from manifest annotations only.
    static func annotatedVendor(_ image: IndexedImage) -> String {
        ImageDescription(sources: [image.annotations]).vendor
    }

    private init(sources: [[String: String]]) {
        self.sources = sources
    }
}
