import Foundation
import GRDB

/// Everything the metadata knows, for whole-store checks (scrub) rather than request paths.
///
/// A separate capability from `MetadataStore`: a backend that cannot list cheaply need not offer it.
public protocol MetadataInventory: Sendable {
    /// Every stored blob with the size recorded when it was committed, in digest order.
    func allBlobs() async throws -> [(digest: Digest, size: Int64)]
    /// Repositories linking each digest.
    func blobLinks() async throws -> [Digest: [String]]
    /// Every manifest's repository, digest, media type and stored bytes, in repository order.
    func allManifests() async throws -> [(repository: String, digest: String, mediaType: String, content: [UInt8])]
    /// Which of `digests` the metadata records as stored blobs (linked or not); the orphan sweep asks for one
    /// shard of blob files at a time.
    func recordedBlobs(among digests: [Digest]) async throws -> Set<Digest>
}

extension SQLiteMetadataStore: MetadataInventory {
    public func allBlobs() throws -> [(digest: Digest, size: Int64)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT digest, size FROM blob ORDER BY digest").map { row in
                (try Digest(parsing: row[0] as String), row[1] as Int64)
            }
        }
    }

    public func blobLinks() throws -> [Digest: [String]] {
        try read { db in
            var links: [Digest: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT digest, repository FROM blob_link ORDER BY repository") {
                links[try Digest(parsing: row[0] as String), default: []].append(row[1])
            }
            return links
        }
    }

    public func allManifests() throws -> [(repository: String, digest: String, mediaType: String, content: [UInt8])] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT repository, digest, media_type, content FROM manifest ORDER BY repository, digest")
                .map { row in (row[0], row[1], row[2], [UInt8](row[3] as Data)) }
        }
    }

    public func recordedBlobs(among digests: [Digest]) throws -> Set<Digest> {
        try read { db in
            var recorded = Set<Digest>()
            // Batches stay well under SQLite's limit on bound parameters (32766 since 3.32).
            for start in stride(from: 0, to: digests.count, by: 500) {
                let batch = digests[start..<min(start + 500, digests.count)]
                let placeholders = Array(repeating: "?", count: batch.count).joined(separator: ",")
                let found = try String.fetchAll(
                    db, sql: "SELECT digest FROM blob WHERE digest IN (\(placeholders))",
                    arguments: StatementArguments(batch.map(\.description)))
                for text in found { recorded.insert(try Digest(parsing: text)) }
            }
            return recorded
        }
    }
}
