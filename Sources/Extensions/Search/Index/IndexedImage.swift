import Foundation

/// What search knows of one manifest or index in one repository: derived once, when it is pushed, from the
/// manifest and its config. A digest's content never changes, so neither does its entry; only tags, pull
/// counts and referrers move, and those are kept beside it.
struct IndexedImage: Sendable, Equatable {
    var repository: String
    var digest: String
    var mediaType: String
    /// `artifactType`, or for an image manifest without one its config's media type (zot's `ArtifactType`).
    var artifactType: String?
    /// The manifest this one refers to: a referrer (signature, SBOM, attachment) is never listed as an image.
    var subject: String?
    /// Bytes of the manifest itself.
    var manifestSize: Int64
    var configDigest: String?
    var configMediaType: String?
    var configSize: Int64
    var platform: IndexedPlatform?
    /// The config's `created`.
    var created: Date?
    var pushedAt: Date
    /// Who first pushed it to this repository ("" when anonymous), kept beside it like `pushedAt`.
    var pushedBy = ""
    var annotations: [String: String]
    /// The config's `config.Labels`, where zot looks when an annotation is missing.
    var labels: [String: String]
    /// The config's `author`, zot's last resort for `Authors`.
    var author: String?
    var layers: [IndexedLayer]
    var history: [IndexedHistory]
    /// For an index: the manifests it lists, in order.
    var children: [String]

    /// The platforms an index's `manifests` descriptors declare, by child digest (used when a child's config
    /// names none).
    var childPlatforms: [String: IndexedPlatform]

    var isIndex: Bool { mediaType.hasSuffix("index.v1+json") || mediaType.hasSuffix("list.v2+json") }

    /// zot's image size: config, manifest and every layer (a repeated layer counted each time).
    var size: Int64 { layers.reduce(manifestSize + configSize) { $0 + $1.size } }

    /// The same with each blob counted once, as an index's size adds up its images.
    var uniqueSize: Int64 {
        var seen: Set<String> = []
        return layers.reduce(manifestSize + configSize) { total, layer in
            seen.insert(layer.digest).inserted ? total + layer.size : total
        }
    }

    /// When the image was built, from its config alone: `created`, else the last history entry's (what zot
    /// picks a repository's newest image by).
    var builtAt: Date? { created ?? history.last?.created }

    /// A cosign or notation signature of another manifest: never listed as an image, nor as a referrer.
    var isSignature: Bool {
        subject != nil && SignatureArtifact.tool(artifactType) != nil
    }
}

/// The artifact types signatures are pushed with, and the tool each one names in `SignatureInfo`.
enum SignatureArtifact {
    static func tool(_ artifactType: String?) -> String? {
        switch artifactType {
        case "application/vnd.dev.cosign.artifact.sig.v1+json", "application/vnd.dev.sigstore.bundle.v0.3+json":
            "cosign"
        case "application/vnd.cncf.notary.signature":
            "notation"
        default:
            nil
        }
    }
}

struct IndexedPlatform: Sendable, Hashable {
    var os: String
    var arch: String
    var variant: String?

    /// The architecture as zot shows and filters it: with the variant, `arm/v7`.
    var zotArch: String { variant.map { $0.isEmpty ? arch : "\(arch)/\($0)" } ?? arch }
}

struct IndexedLayer: Sendable, Equatable {
    var digest: String
    var size: Int64
}

struct IndexedHistory: Sendable, Equatable {
    var created: Date?
    var createdBy: String?
    var author: String?
    var comment: String?
    var emptyLayer: Bool
}
