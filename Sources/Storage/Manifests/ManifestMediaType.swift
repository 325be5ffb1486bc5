import Foundation

/// The manifest media types zotd stores, and what each one references.
public enum ManifestMediaType: String, Sendable, CaseIterable {
    case ociManifest = "application/vnd.oci.image.manifest.v1+json"
    case ociIndex = "application/vnd.oci.image.index.v1+json"
    case ociArtifact = "application/vnd.oci.artifact.manifest.v1+json"
    case dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    case dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"

    /// Indexes reference other manifests; the rest reference blobs.
    public var isIndex: Bool { self == .ociIndex || self == .dockerManifestList }

    /// The type a manifest `PUT` declares in `Content-Type`, compared without parameters and case. zot answers
    /// 415 when the header is missing or names anything else, so a client never has its body's guess stored.
    public init(contentType: String?) throws(StorageError) {
        let declared = contentType.map { String($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces) }
        guard let declared, let type = Self(rawValue: declared.lowercased()) else {
            throw .manifestMediaTypeUnsupported(contentType)
        }
        self = type
    }

    /// The media types a client may ask for in `Accept` to get any stored manifest.
    public static var acceptAll: [String] { allCases.map(\.rawValue) }
}
