import Foundation
import GRDB

/// What an image's entry is derived from: its manifest as stored and its config's bytes.
struct ImageSource: Sendable {
    var mediaType: String
    var manifest: [UInt8]
    var config: [UInt8]?
}

/// One change to the index, derived from a storage event.
enum IndexChange: Sendable {
    /// Store the image (unchanged if already there), derived from `source`, and point the tags at it.
    case record(IndexedImage, source: ImageSource, tags: [String], at: Date)
    /// Forget a manifest and every tag pointing at it (a delete by digest, or garbage collection).
    case removeImage(String, in: String)
    /// Forget one tag; the manifest stays.
    case removeTag(String, in: String)

    var repository: String {
        switch self {
        case .record(let image, _, _, _): image.repository
        case .removeImage(_, let repository), .removeTag(_, let repository): repository
        }
    }
}

/// The image metadata index: what search answers from, kept current from storage events.
///
/// Changes are applied in batches, one transaction each, which also recomputes the rows of the repositories
/// they touched: a reader never sees an image without its tags or a repository whose figures disagree with
/// its images, and a burst of pushes costs one commit, not one per push.
struct SearchIndex: Sendable {
    let database: SearchDatabase
    /// Entries derived once, by repository and digest.
    let decoded = TextKeyedCache<IndexedImage>(capacity: 8192)
    let configSummaries = ConfigSummaries()

    func apply(_ changes: [IndexChange]) throws {
        guard !changes.isEmpty else { return }
        try database.pool.write { db in
            for change in changes {
                switch change {
                case .record(let image, let source, let tags, let time): try record(image, source, tags: tags, at: time, db)
                case .removeImage(let digest, let repository): try removeImage(digest, in: repository, db)
                case .removeTag(let name, let repository):
                    try db.executeCached(sql: "DELETE FROM search_tag WHERE repository = ? AND name = ?", arguments: [repository, name])
                }
            }
            for repository in Set(changes.map(\.repository)) { try refreshRepository(repository, db) }
        }
    }

    /// Stores `image` (unchanged if already there: its first push time stays) and points `tags` at it. A tag
    /// that moves keeps the time it was first created, as zot's `TaggedTimestamp` does.
    private func record(_ image: IndexedImage, _ source: ImageSource, tags: [String], at time: Date, _ db: Database) throws {
        let children = try image.children.compactMap { try self.image($0, in: image.repository, db) }
        let builtAt = image.isIndex ? children.compactMap(\.builtAt).max() : image.builtAt
        let known = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM search_image WHERE repository = ? AND digest = ?"),
            arguments: [image.repository, image.digest]) ?? false
        if !known {
            try db.executeCached(sql: "INSERT INTO search_manifest (bytes) VALUES (?)", arguments: [Data(source.manifest)])
            try db.executeCached(
                sql: """
                    INSERT INTO search_image
                        (repository, digest, subject, is_index, built_at, pushed_at, pushed_by, media_type, manifest_id, config_digest)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    image.repository, image.digest, image.subject, image.isIndex, builtAt?.timeIntervalSince1970,
                    image.pushedAt.timeIntervalSince1970, image.pushedBy, source.mediaType, db.lastInsertedRowID,
                    source.config == nil ? nil : image.configDigest,
                ])
        }
        if let config = source.config, let digest = image.configDigest {
            try db.executeCached(
                sql: "INSERT OR IGNORE INTO search_config (digest, bytes) VALUES (?, ?)", arguments: [digest, Data(config)])
        }
        let platforms = image.isIndex ? children.compactMap(\.platform) : [image.platform].compactMap { $0 }
        for platform in platforms {
            try db.executeCached(
                sql: "INSERT OR IGNORE INTO search_platform (repository, digest, os, arch) VALUES (?, ?, ?, ?)",
                arguments: [image.repository, image.digest, platform.os, platform.zotArch])
        }
        for tag in tags {
            try db.executeCached(
                sql: """
                    INSERT INTO search_tag (repository, name, digest, tagged_at, is_signature) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (repository, name) DO UPDATE SET digest = excluded.digest, is_signature = excluded.is_signature
                    """,
                arguments: [
                    image.repository, tag, image.digest, time.timeIntervalSince1970,
                    image.isSignature || SignatureTag.isHidden(tag),
                ])
        }
    }

    private func removeImage(_ digest: String, in repository: String, _ db: Database) throws {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT config_digest, manifest_id FROM search_image WHERE repository = ? AND digest = ?"),
            arguments: [repository, digest])
        let config: String? = row?["config_digest"]
        if let manifest: Int64 = row?["manifest_id"] {
            try db.executeCached(sql: "DELETE FROM search_manifest WHERE id = ?", arguments: [manifest])
        }
        for table in ["search_image", "search_tag", "search_platform"] {
            try db.executeCached(sql: "DELETE FROM \(table) WHERE repository = ? AND digest = ?", arguments: [repository, digest])
        }
        // A config goes with the last image made from it.
        if let config {
            try db.executeCached(
                sql: "DELETE FROM search_config WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM search_image WHERE config_digest = ?)",
                arguments: [config, config])
        }
    }

    /// Adds pulls counted since the last call, by repository and manifest digest.
    func addDownloads(_ tallies: [DownloadKey: DownloadTally]) throws {
        guard !tallies.isEmpty else { return }
        try database.pool.write { db in
            var repositories: Set<String> = []
            for (key, tally) in tallies {
                try db.executeCached(
                    sql: """
                        UPDATE search_image SET download_count = download_count + ?, last_pull = max(coalesce(last_pull, 0), ?)
                        WHERE repository = ? AND digest = ?
                        """,
                    arguments: [tally.count, tally.last.timeIntervalSince1970, key.repository, key.digest])
                repositories.insert(key.repository)
            }
            for repository in repositories { try refreshRepository(repository, db) }
        }
    }

    /// Empties everything derived from storage, before a rebuild; stars and bookmarks stay.
    func clear() throws {
        try database.pool.write { db in
            for table in ["search_image", "search_manifest", "search_tag", "search_platform", "search_repository", "search_config"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
    }

    /// The digest a tag points at, for counting a pull by tag.
    func digest(ofTag name: String, in repository: String) throws -> String? {
        try database.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT digest FROM search_tag WHERE repository = ? AND name = ?", arguments: [repository, name])
        }
    }

    /// Recomputes the repository's row from its tags, as zot's `RepoSummary` figures them: updated when its
    /// newest image was built or a tag was last created, whichever is later; downloads summed over tags (a
    /// manifest with two tags counts twice). A repository without a listed tag has no row.
    func refreshRepository(_ name: String, _ db: Database) throws {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT max(max(coalesce(i.built_at, 0)), max(t.tagged_at)) AS updated, sum(i.download_count) AS downloads,
                        count(*) AS tags
                    FROM search_tag t JOIN search_image i ON i.repository = t.repository AND i.digest = t.digest
                    WHERE t.repository = ? AND t.is_signature = 0
                    """),
            arguments: [name])
        guard let row, (row["tags"] as Int? ?? 0) > 0 else {
            try db.executeCached(sql: "DELETE FROM search_repository WHERE name = ?", arguments: [name])
            return
        }
        try db.executeCached(
            sql: """
                INSERT INTO search_repository (name, last_updated, download_count) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET last_updated = excluded.last_updated, download_count = excluded.download_count
                """,
            arguments: [name, row["updated"] as Double?, row["downloads"] as Int? ?? 0])
    }
}

/// Tags zot never lists as images: a cosign signature (`sha256-<64 hex>.sig`) and a referrers-API fallback
/// tag (`sha256-<hex>`). Cosign's `.att` and `.sbom` tags are listed.
package enum SignatureTag {
    static func isHidden(_ tag: String) -> Bool {
        guard tag.hasPrefix("sha256-") else { return false }
        let rest = tag.utf8.dropFirst("sha256-".count)
        if tag.utf8.count == 75, tag.hasSuffix(".sig") { return true }
        return rest.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    }
}

extension SignatureTag {
    /// The tag cosign stores the signature of `digest` under.
    package static func cosignTag(of digest: String) -> String? {
        guard digest.hasPrefix("sha256:") else { return nil }
        return "sha256-" + digest.dropFirst("sha256:".count) + ".sig"
    }
}

extension Database {
    /// Runs a statement compiled once per connection: indexing runs the same few statements for every push,
    /// and compiling each anew cost more than running it (GRDB's authorizer, in profiles).
    func executeCached(sql: String, arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
