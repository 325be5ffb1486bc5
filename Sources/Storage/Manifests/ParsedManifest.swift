import Foundation

/// A manifest body checked against the image spec, with what the registry needs from it.
public struct ParsedManifest: Sendable {
    public let mediaType: ManifestMediaType
    /// `artifactType`, or for image manifests without one the config's media type
    /// (what the referrers API reports).
    public let artifactType: String?
    public let subject: Digest?
    /// Config, layers and blobs that must be stored in the repository.
    public let blobs: [Digest]
    /// Manifests an index lists, which must be stored in the repository.
    public let manifests: [Digest]
    /// Annotations as JSON object text, kept for the referrers API.
    public let annotationsJSON: String?

    /// Parses `bytes` sent with `contentType`.
    /// - Throws: `StorageError.manifestInvalid` naming what is wrong.
    public init(bytes: [UInt8], contentType: String?) throws(StorageError) {
        do throws(StrictJSON.Violation) {
            try StrictJSON.check(bytes, fields: ManifestDocument.fieldNames, mapFields: ["annotations"])
        } catch {
            throw .manifestInvalid(error.description)
        }
        let document: ManifestDocument
        do {
            document = try JSONDecoder().decode(ManifestDocument.self, from: Data(bytes))
        } catch {
            throw .manifestInvalid("body is not a valid manifest: \(ParsedManifest.summary(of: error))")
        }
        let mediaType = try ParsedManifest.resolveMediaType(document: document, contentType: contentType)
        if document.schemaVersion != 2 {
            throw .manifestInvalid("schemaVersion must be 2")
        }
        var blobs: [Digest] = []
        var manifests: [Digest] = []
        switch mediaType {
        case .ociIndex, .dockerManifestList:
            guard let children = document.manifests else { throw .manifestInvalid("an index needs a manifests list") }
            manifests = try children.map { child throws(StorageError) in try child.parsedDigest() }
        case .ociManifest, .dockerManifest:
            guard let config = document.config else { throw .manifestInvalid("an image manifest needs a config") }
            guard let layers = document.layers else { throw .manifestInvalid("an image manifest needs layers") }
            blobs.append(try config.parsedDigest())
            for layer in layers where !layer.isForeign {
                blobs.append(try layer.parsedDigest())
            }
        case .ociArtifact:
            for blob in document.blobs ?? [] {
                blobs.append(try blob.parsedDigest())
            }
        }
        self.mediaType = mediaType
        self.blobs = blobs
        self.manifests = manifests
        self.subject = try document.subject?.parsedDigest()
        self.artifactType = document.artifactType ?? document.config?.mediaType
        if let annotations = document.annotations, !annotations.isEmpty,
            let data = try? JSONEncoder().encode(annotations)
        {
            self.annotationsJSON = String(decoding: data, as: UTF8.self)
        } else {
            self.annotationsJSON = nil
        }
    }

    /// The body's `mediaType` wins; the header must agree with it when both are given.
    private static func resolveMediaType(document: ManifestDocument, contentType: String?) throws(StorageError)
        -> ManifestMediaType
    {
        let header = contentType.map { String($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces) }
        // Parsed as the route's 415 check parses it, so that a header it accepted is never ignored here.
        let headerType = try? ManifestMediaType(contentType: contentType)
        if let declared = document.mediaType {
            guard let bodyType = ManifestMediaType(rawValue: declared) else {
                throw .manifestInvalid("unsupported manifest media type \(declared)")
            }
            if let header, let headerType, headerType != bodyType {
                throw .manifestInvalid("Content-Type \(header) does not match the manifest's mediaType \(declared)")
            }
            return bodyType
        }
        if let headerType { return headerType }
        // No media type anywhere: the image spec lets the shape decide.
        if document.manifests != nil { return .ociIndex }
        if document.config != nil { return .ociManifest }
        throw .manifestInvalid("cannot tell the manifest's media type (Content-Type \(header ?? "missing"))")
    }

    private static func summary(of error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.keyNotFound(_, let context), DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

/// The JSON shape shared by manifests and indexes; every field optional so that the
/// media type decides which ones are required.
struct ManifestDocument: Decodable {
    var schemaVersion: Int?
    var mediaType: String?
    var artifactType: String?
    var config: Descriptor?
    var layers: [Descriptor]?
    var blobs: [Descriptor]?
    var manifests: [Descriptor]?
    var subject: Descriptor?
    var annotations: [String: String]?

    /// Every field of a manifest, index, descriptor and platform that Go clients decode into a struct, each
    /// accepted in this spelling only (see `StrictJSON`).
    static let fieldNames: Set<String> = [
        "schemaVersion", "mediaType", "artifactType", "config", "layers", "blobs", "manifests", "subject",
        "annotations", "digest", "size", "urls", "data", "platform", "architecture", "os", "os.version",
        "os.features", "variant", "features",
    ]
}

struct Descriptor: Decodable {
    var mediaType: String?
    var digest: String
    var size: Int64
    var urls: [String]?

    /// Foreign (non-distributable) layers live elsewhere and are not pushed.
    var isForeign: Bool {
        guard let mediaType else { return false }
        return mediaType.contains("foreign") || mediaType.contains("nondistributable")
    }

    func parsedDigest() throws(StorageError) -> Digest {
        guard size >= 0 else { throw .manifestInvalid("descriptor \(digest) has a negative size") }
        do {
            return try Digest(parsing: digest)
        } catch {
            throw .manifestInvalid("descriptor digest \(digest) is invalid")
        }
    }
}
