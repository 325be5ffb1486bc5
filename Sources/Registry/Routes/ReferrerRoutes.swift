import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// `GET /v2/<name>/referrers/<digest>` (the referrers API) and the legacy ORAS path.
struct ReferrerRoutes {
    let store: RegistryStore

    private struct Index: Encodable {
        var schemaVersion = 2
        var mediaType = ManifestMediaType.ociIndex.rawValue
        var manifests: [Entry]
    }

    private struct ORASReferences: Encodable {
        var references: [Entry]
    }

    struct Entry: Encodable {
        var mediaType: String
        var digest: String
        var size: Int64
        var artifactType: String?
        var annotations: [String: String]?
    }

    func referrers(_ request: Request, name: String, digest rawDigest: String) async throws -> Response {
        let (entries, filtered) = try await lookup(request, name: name, digest: rawDigest)
        let headers: HTTPFields = filtered ? [.ociFiltersApplied: "artifactType"] : [:]
        return try JSONResponse.make(
            Index(manifests: entries),
            contentType: ManifestMediaType.ociIndex.rawValue,
            headers: headers
        )
    }

    func orasReferrers(_ request: Request, name: String, digest rawDigest: String) async throws -> Response {
        let (entries, _) = try await lookup(request, name: name, digest: rawDigest)
        return try JSONResponse.make(ORASReferences(references: entries))
    }

    private func lookup(_ request: Request, name: String, digest rawDigest: String) async throws -> ([Entry], Bool) {
        let repository = try PathPart.repository(name)
        let digest = try PathPart.digest(rawDigest)
        let artifactType = request.query("artifactType").flatMap { $0.isEmpty ? nil : $0 }
        let referrers = try await store.referrers(of: digest, in: repository, artifactType: artifactType)
        let entries = referrers.map { referrer in
            Entry(
                mediaType: referrer.mediaType,
                digest: referrer.digest.description,
                size: referrer.size,
                artifactType: referrer.artifactType,
                annotations: referrer.annotationsJSON.flatMap {
                    try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
                }
            )
        }
        return (entries, artifactType != nil)
    }
}
