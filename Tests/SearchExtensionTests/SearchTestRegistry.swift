import Foundation
import NIOCore
import Registry
import Storage

@testable import SearchExtension

/// A registry store in memory and search's index in a temporary SQLite file, fed the events the server would
/// post: what the index tests push through and query.
struct SearchTestRegistry {
    let store = RegistryStore.inMemory()
    let directory: URL
    let index: SearchIndex
    let indexer: ImageIndexer
    let search: IndexedSearch

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("zotd-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try SearchDatabase(path: directory.appendingPathComponent("zotd.db").path)
        index = SearchIndex(database: database)
        indexer = ImageIndexer(store: store, index: index, logger: .init(label: "test"))
        search = IndexedSearch(
            index: index, preferences: SQLiteUserPreferences(database: database),
            verdicts: SQLiteSignatureVerdicts(database: database))
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    static let everyone = SearchRequestContext(user: nil, mayRead: { _ in true }, mayDelete: { _ in true })

    static func user(_ name: String, reads: Set<String>? = nil, deletes: Set<String> = []) -> SearchRequestContext {
        SearchRequestContext(user: name, mayRead: { reads?.contains($0) ?? true }, mayDelete: { deletes.contains($0) })
    }

    // MARK: Pushing

    @discardableResult
    func pushBlob(_ bytes: [UInt8], to repository: String) async throws -> Descriptor {
        let digest = Digest.sha256(of: bytes)
        let body = AsyncStream<ByteBuffer> { continuation in
            continuation.yield(ByteBuffer(bytes: bytes))
            continuation.finish()
        }
        _ = try await store.storeBlob(digest, in: RepositoryName(parsing: repository), body: body, declaredLength: nil)
        return Descriptor(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digest.description, size: bytes.count)
    }

    /// Pushes an image manifest over fresh layers of `layerSizes` (or the given `layers`) with a config naming
    /// its platform, creation time and history; tags it with `tag` when given. Returns its digest and layers.
    @discardableResult
    func pushImage(
        _ repository: String, tag: String?, layers given: [Descriptor]? = nil, layerSizes: [Int] = [100, 200],
        os: String = "linux", arch: String = "amd64", created: String? = nil, history: [[String: Any]]? = nil,
        labels: [String: String] = [:], annotations: [String: String]? = nil, subject: String? = nil,
        artifactType: String? = nil
    ) async throws -> PushedImage {
        var layers = given ?? []
        if given == nil {
            for size in layerSizes { layers.append(try await pushBlob(Self.randomBytes(size), to: repository)) }
        }
        var config: [String: Any] = ["os": os, "architecture": arch, "config": ["Labels": labels], "rootfs": ["type": "layers"]]
        if let created { config["created"] = created }
        if let history { config["history"] = history }
        config["nonce"] = UUID().uuidString
        let configBytes = Array(try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]))
        var configDescriptor = try await pushBlob(configBytes, to: repository)
        configDescriptor.mediaType = "application/vnd.oci.image.config.v1+json"
        var manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": configDescriptor.json, "layers": layers.map(\.json),
        ]
        if let annotations { manifest["annotations"] = annotations }
        if let subject, let stored = try? await store.manifest(.digest(Digest(parsing: subject)), in: RepositoryName(parsing: repository)) {
            manifest["subject"] = ["mediaType": stored.mediaType, "digest": subject, "size": stored.content.count]
        }
        if let artifactType { manifest["artifactType"] = artifactType }
        let digest = try await pushManifest(manifest, to: repository, tag: tag)
        return PushedImage(digest: digest, layers: layers, configDigest: configDescriptor.digest)
    }

    /// Pushes an index over `images` (already pushed), each declared with its platform.
    @discardableResult
    func pushIndex(_ repository: String, tag: String?, images: [(PushedImage, String)], annotations: [String: String]? = nil)
        async throws -> String
    {
        var manifests: [[String: Any]] = []
        for (image, arch) in images {
            let stored = try await store.manifest(.digest(Digest(parsing: image.digest)), in: RepositoryName(parsing: repository))
            manifests.append([
                "mediaType": stored.mediaType, "digest": image.digest, "size": stored.content.count,
                "platform": ["os": "linux", "architecture": arch],
            ])
        }
        var index: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests,
        ]
        if let annotations { index["annotations"] = annotations }
        return try await pushManifest(index, to: repository, tag: tag)
    }

    func pushManifest(_ document: [String: Any], to repository: String, tag: String?) async throws -> String {
        let bytes = Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
        let mediaType = document["mediaType"] as! String
        let digest = Digest.sha256(of: bytes)
        let reference: Reference = try tag.map { .tag(try Tag(parsing: $0)) } ?? .digest(digest)
        _ = try await store.putManifest(bytes, contentType: mediaType, reference: reference, in: RepositoryName(parsing: repository))
        try await indexer.apply([
            .manifestPushed(
                ManifestPush(
                    repository: repository, digest: digest, tags: tag.map { [$0] } ?? [], mediaType: mediaType,
                    content: bytes, pushedBy: ""))
        ])
        return digest.description
    }

    func deleteManifest(_ reference: String, in repository: String) async throws {
        try await store.deleteManifest(Reference(parsing: reference), in: RepositoryName(parsing: repository))
        try await indexer.apply([.manifestDeleted(repository: repository, reference: reference)])
    }

    static func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
}

struct Descriptor {
    var mediaType: String
    var digest: String
    var size: Int

    var json: [String: Any] { ["mediaType": mediaType, "digest": digest, "size": size] }
}

struct PushedImage {
    var digest: String
    var layers: [Descriptor]
    var configDigest: String
}
