import Foundation

/// A repository's `index.json` in an OCI image layout: the manifests the repository holds, tagged by the
/// `org.opencontainers.image.ref.name` annotation (zot writes the tag alone there; so does skopeo's `oci:`).
struct OCILayoutIndex: Decodable {
    struct Entry: Decodable {
        var mediaType: String?
        var digest: String
        var size: Int64?
        var annotations: [String: String]?

        var tagName: String? { annotations?["org.opencontainers.image.ref.name"] }
    }

    var manifests: [Entry]

    /// zot's own index.json files stay far below this; anything larger is not a layout's index.
    static let sizeLimit = 64 << 20

    init(parsing bytes: [UInt8]) throws(StorageError) {
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(bytes))
        } catch {
            throw .manifestInvalid("index.json is not an OCI image index: \(error)")
        }
    }

    private enum CodingKeys: String, CodingKey { case manifests }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        manifests = try container.decodeIfPresent([Entry].self, forKey: .manifests) ?? []
    }
}
