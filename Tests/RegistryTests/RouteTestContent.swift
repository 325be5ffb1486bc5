import Foundation
import Storage

/// Media types of the image spec and Docker's schema 2, as clients send them.
enum MediaType {
    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    static let ociIndex = "application/vnd.oci.image.index.v1+json"
    static let ociConfig = "application/vnd.oci.image.config.v1+json"
    static let ociLayer = "application/vnd.oci.image.layer.v1.tar+gzip"
    static let ociEmpty = "application/vnd.oci.empty.v1+json"
    static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    static let octetStream = "application/octet-stream"
}

/// A descriptor as manifests write it.
struct DescriptorJSON: Codable, Equatable, Sendable {
    var mediaType: String
    var digest: String
    var size: Int
}

/// A manifest as pushed: its exact bytes and the media type it declares.
struct TestManifest: Sendable {
    var bytes: [UInt8]
    var mediaType: String

    var digest: Digest { Digest.sha256(of: bytes) }
    var descriptor: DescriptorJSON {
        DescriptorJSON(mediaType: mediaType, digest: digest.description, size: bytes.count)
    }

    /// Encodes `document` compactly with sorted keys: deterministic bytes.
    init(encoding document: some Encodable, mediaType: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.bytes = [UInt8](try! encoder.encode(document))
        self.mediaType = mediaType
    }

    init(bytes: [UInt8], mediaType: String) {
        self.bytes = bytes
        self.mediaType = mediaType
    }
}

/// An image (or artifact) manifest and the blobs it references, with fresh digests on every call.
struct TestImage: Sendable {
    var config: [UInt8]
    var layers: [[UInt8]]
    var manifest: TestManifest

    var blobs: [[UInt8]] { [config] + layers }
    var digest: Digest { manifest.digest }

    private struct Document: Encodable {
        var schemaVersion = 2
        var mediaType: String
        var artifactType: String?
        var config: DescriptorJSON
        var layers: [DescriptorJSON]
        var subject: DescriptorJSON?
        var annotations: [String: String]?
    }

    /// A small image with a fresh config and two random layers: OCI, or Docker schema 2 with `docker`.
    static func make(docker: Bool = false, subject: TestManifest? = nil) -> TestImage {
        let nonce = randomBytes(8).map { String($0, radix: 16) }.joined()
        let config = Array(#"{"architecture":"amd64","os":"linux","nonce":"\#(nonce)"}"#.utf8)
        return make(
            mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
            config: (config, docker ? MediaType.dockerConfig : MediaType.ociConfig),
            layers: [randomBytes(512), randomBytes(1024)],
            layerType: docker ? MediaType.dockerLayer : MediaType.ociLayer,
            subject: subject
        )
    }

    /// An OCI 1.1 artifact: `artifactType` set, the empty config `{}`, one small layer.
    static func artifact(_ artifactType: String, subject: TestManifest? = nil, annotations: [String: String]? = nil)
        -> TestImage
    {
        make(
            mediaType: MediaType.ociManifest, artifactType: artifactType,
            config: (Array("{}".utf8), MediaType.ociEmpty), layers: [randomBytes(64)],
            layerType: MediaType.octetStream, subject: subject, annotations: annotations
        )
    }

    private static func make(
        mediaType: String, artifactType: String? = nil, config: ([UInt8], String), layers: [[UInt8]], layerType: String,
        subject: TestManifest?, annotations: [String: String]? = nil
    ) -> TestImage {
        let descriptor = { (bytes: [UInt8], type: String) in
            DescriptorJSON(mediaType: type, digest: Digest.sha256(of: bytes).description, size: bytes.count)
        }
        let document = Document(
            mediaType: mediaType, artifactType: artifactType, config: descriptor(config.0, config.1),
            layers: layers.map { descriptor($0, layerType) }, subject: subject?.descriptor, annotations: annotations
        )
        let manifest = TestManifest(encoding: document, mediaType: mediaType)
        return TestImage(config: config.0, layers: layers, manifest: manifest)
    }
}

extension TestManifest {
    /// An index (or Docker manifest list) of `manifests`.
    static func index(
        of manifests: [TestManifest], docker: Bool = false, subject: TestManifest? = nil,
        annotations: [String: String]? = nil
    ) -> TestManifest {
        struct Document: Encodable {
            var schemaVersion = 2
            var mediaType: String
            var manifests: [DescriptorJSON]
            var subject: DescriptorJSON?
            var annotations: [String: String]?
        }
        let mediaType = docker ? MediaType.dockerManifestList : MediaType.ociIndex
        let document = Document(
            mediaType: mediaType, manifests: manifests.map(\.descriptor), subject: subject?.descriptor,
            annotations: annotations)
        return TestManifest(encoding: document, mediaType: mediaType)
    }
}
