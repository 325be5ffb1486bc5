import Foundation

/// The parts of an OCI manifest, index and image config that search shows, decoded leniently: the registry
/// already refused malformed manifests at push, and a config is only ever described, never judged.
struct ManifestDocument: Decodable {
    var mediaType: String?
    var artifactType: String?
    var config: DescriptorDocument?
    var layers: [DescriptorDocument]?
    var manifests: [DescriptorDocument]?
    var subject: DescriptorDocument?
    var annotations: [String: String]?
}

struct DescriptorDocument: Decodable {
    var mediaType: String?
    var digest: String
    var size: Int64
    var platform: PlatformDocument?
    var annotations: [String: String]?
}

struct PlatformDocument: Decodable {
    var os: String?
    var architecture: String?
    var variant: String?
}

/// An image config (`application/vnd.oci.image.config.v1+json` and docker's): creation, platform, labels, history.
struct ImageConfigDocument: Decodable {
    struct Settings: Decodable {
        var Labels: [String: String]?
    }

    struct History: Decodable {
        var created: String?
        var created_by: String?
        var author: String?
        var comment: String?
        var empty_layer: Bool?
    }

    var created: String?
    var author: String?
    var architecture: String?
    var os: String?
    var variant: String?
    var config: Settings?
    var history: [History]?
}
