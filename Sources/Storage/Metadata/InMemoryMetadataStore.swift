import Foundation
import Synchronization

/// Metadata in memory: the backend tests run without a database, and the second implementation the metadata
/// conformance suite holds `SQLiteMetadataStore` to.
///
/// It answers as the SQLite store does, query by query: the same checks, liveness rules, orders and edge
/// cases (each file names the SQL it stands for). Every method runs under one lock, as one SQLite transaction
/// would: this store is for tests and reference, never for serving a registry.
public final class InMemoryMetadataStore: MetadataStore {
    let tables = Mutex(Tables())

    public init() {}

    static var now: Double { Date().timeIntervalSince1970 }
}

extension InMemoryMetadataStore {
    /// The rows of `MetadataSchema`'s tables, with their constraints kept by the methods that change them:
    /// - a repository is a key of `manifests` exactly while it holds a manifest (the `repository` table: what
    ///   the catalog lists), and of `links` while it links a blob; no inner dictionary is left empty;
    /// - a tag points at a stored manifest of its repository, and goes with it (the schema's cascade);
    /// - a link's blob is in `blobs` (the foreign key).
    struct Tables {
        struct Blob {
            var size: Int64
            var createdAt: Double
        }

        struct Manifest {
            var mediaType: String
            var artifactType: String?
            var subject: Digest?
            var annotationsJSON: String?
            var content: [UInt8]
            var createdAt: Double
            /// Its `manifest_reference` rows: the blobs and manifests it needs in its repository.
            var references: Set<Digest>
        }

        var blobs: [Digest: Blob] = [:]
        /// When each repository linked each blob (`linked_at`).
        var links: [RepositoryName: [Digest: Double]] = [:]
        var manifests: [RepositoryName: [Digest: Manifest]] = [:]
        /// Tag name to manifest digest, per repository.
        var tags: [RepositoryName: [String: Digest]] = [:]
        var uploads: [String: UploadRecord] = [:]
        /// The `index.json` digest of each repository adopted from a zot storage root (`adopted_layout`).
        var adoptedLayouts: [RepositoryName: Digest] = [:]

        func isLinked(_ digest: Digest) -> Bool {
            links.values.contains { $0[digest] != nil }
        }

        /// The first link records the blob's size and age; later ones only refresh the link (`ON CONFLICT(digest)
        /// DO NOTHING`).
        mutating func insertLink(_ digest: Digest, size: Int64, in repository: RepositoryName, at time: Double) {
            if blobs[digest] == nil { blobs[digest] = Blob(size: size, createdAt: time) }
            upsertLink(digest, in: repository, at: time)
        }

        /// A fresh link time restarts the grace period that protects a blob pushed ahead of its manifest.
        mutating func upsertLink(_ digest: Digest, in repository: RepositoryName, at time: Double) {
            links[repository, default: [:]][digest] = time
        }

        mutating func removeLink(_ digest: Digest, from repository: RepositoryName) -> Bool {
            guard links[repository]?.removeValue(forKey: digest) != nil else { return false }
            if links[repository]?.isEmpty == true { links[repository] = nil }
            return true
        }

        /// Removes a manifest and the tags pointing at it.
        mutating func removeManifest(_ digest: Digest, from repository: RepositoryName) -> Bool {
            guard manifests[repository]?.removeValue(forKey: digest) != nil else { return false }
            if manifests[repository]?.isEmpty == true { manifests[repository] = nil }
            tags[repository] = tags[repository]?.filter { $0.value != digest }
            if tags[repository]?.isEmpty == true { tags[repository] = nil }
            return true
        }
    }

    /// `names` after `last`, at most `limit`, as `WHERE name > ? ORDER BY name LIMIT ?` gives them: SQLite's
    /// BINARY collation compares UTF-8 bytes (String's `<` compares canonical equivalents, which differs on a
    /// client's non-ASCII `last`), and a negative LIMIT means none.
    static func page(_ names: some Sequence<String>, after last: String?, limit: Int?) -> [String] {
        let last = last ?? ""
        let sorted = names.filter { last.utf8.lexicographicallyPrecedes($0.utf8) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard let limit, limit >= 0 else { return sorted }
        return Array(sorted.prefix(limit))
    }
}
