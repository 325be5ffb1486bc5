import Foundation
import Registry
import SearchExtension

/// A pushed manifest that is a signature of another: cosign's, under the tag `sha256-<hex>.sig` or attached
/// as a referrer, or notation's, attached as a referrer.
struct SignatureManifest: Sendable {
    enum Tool: String, Sendable {
        case cosign, notation
    }

    struct Layer: Sendable {
        var index: Int
        var mediaType: String
        var digest: String
        var size: Int64
        var annotations: [String: String]
    }

    var reference: SignatureReference
    var tool: Tool
    var layers: [Layer]

    static let cosignArtifactType = "application/vnd.dev.cosign.artifact.sig.v1+json"
    static let notationArtifactType = "application/vnd.cncf.notary.signature"

    /// nil for a manifest that signs nothing.
    init?(repository: String, digest: String, tags: [String], content: [UInt8]) {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(content)) else { return nil }
        let artifactType = document.artifactType ?? document.config?.mediaType
        let subject: String
        let tool: Tool
        if let referred = document.subject?.digest, artifactType == Self.cosignArtifactType {
            (subject, tool) = (referred, .cosign)
        } else if let referred = document.subject?.digest, artifactType == Self.notationArtifactType {
            (subject, tool) = (referred, .notation)
        } else if let signed = tags.lazy.compactMap(Self.cosignSubject(ofTag:)).first {
            (subject, tool) = (signed, .cosign)
        } else {
            return nil
        }
        reference = SignatureReference(repository: repository, signature: digest, subject: subject)
        self.tool = tool
        layers = (document.layers ?? []).enumerated().map { index, layer in
            Layer(
                index: index, mediaType: layer.mediaType ?? "", digest: layer.digest, size: layer.size,
                annotations: layer.annotations ?? [:])
        }
    }

    /// `sha256:<hex>` for cosign's signature tag `sha256-<hex>.sig`.
    static func cosignSubject(ofTag tag: String) -> String? {
        guard tag.hasPrefix("sha256-"), tag.hasSuffix(".sig"), tag.utf8.count == 75 else { return nil }
        let hex = tag.dropFirst("sha256-".count).dropLast(".sig".count)
        guard hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return "sha256:" + hex
    }

    private struct Document: Decodable {
        struct Descriptor: Decodable {
            var mediaType: String?
            var digest: String
            var size: Int64
            var annotations: [String: String]?
        }

        var artifactType: String?
        var config: Descriptor?
        var layers: [Descriptor]?
        var subject: Descriptor?
    }
}
