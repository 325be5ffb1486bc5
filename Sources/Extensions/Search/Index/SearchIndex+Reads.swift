import Foundation
import GRDB

/// An image as search lists it: a tag of a repository and the manifest (or index) it points at.
struct TaggedImage: Sendable {
    var tag: String
    var taggedAt: Date
    var image: IndexedImage
    var downloadCount: Int
    var lastPull: Date?
}

/// A repository's sort keys, read for every repository before a page is cut (access control filters in Swift).
struct RepositoryKeys: Sendable {
    var name: String
    var lastUpdated: Date?
    var downloadCount: Int
    var starCount: Int
}

/// A platform as zot shows it: the architecture carries the variant (`arm/v7`).
struct ZotPlatform: Sendable, Hashable {
    var os: String
    var arch: String
}

extension SearchIndex {
    /// One entry, tagged or not (an index's children, referrers).
    func image(_ digest: String, in repository: String) throws -> IndexedImage? {
        try database.pool.read { db in try image(digest, in: repository, db) }
    }

    func image(_ digest: String, in repository: String, _ db: Database) throws -> IndexedImage? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Self.imageColumns) FROM search_image i WHERE i.repository = ? AND i.digest = ?"),
            arguments: [repository, digest]
        ).map(decode)
    }

    /// How often `digest` was pulled from `repository`.
    func downloadCount(_ digest: String, in repository: String) throws -> Int {
        try database.pool.read { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT download_count FROM search_image WHERE repository = ? AND digest = ?"),
                arguments: [repository, digest]) ?? 0
        }
    }

    /// Every (repository, digest) the index holds, for the sweep after garbage collection.
    func allImages() throws -> [(String, String)] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT repository, digest FROM search_image").map { ($0["repository"], $0["digest"]) }
        }
    }

    /// The images of `repositories` (all when nil): every tag but signatures', in repository and tag order.
    func taggedImages(in repositories: [String]? = nil) throws -> [TaggedImage] {
        try database.pool.read { db in
            var sql = """
                SELECT t.repository, t.name, t.tagged_at, \(Self.imageColumns), i.download_count, i.last_pull
                FROM search_tag t JOIN search_image i ON i.repository = t.repository AND i.digest = t.digest
                WHERE t.is_signature = 0
                """
            var arguments: StatementArguments = []
            if let repositories {
                guard !repositories.isEmpty else { return [] }
                sql += " AND t.repository IN (\(repositories.map { _ in "?" }.joined(separator: ",")))"
                arguments = StatementArguments(repositories)
            }
            sql += " ORDER BY t.repository, t.name"
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(taggedImage)
        }
    }

    /// Repositories with at least one image, with what they sort by (stars aside: `UserPreferences` has them).
    func repositoryKeys() throws -> [RepositoryKeys] {
        try repositoryKeys(where: "1", [])
    }

    func repositoryKeys(where condition: String, _ arguments: StatementArguments) throws -> [RepositoryKeys] {
        try database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.name, r.last_updated, r.download_count FROM search_repository r WHERE \(condition) ORDER BY r.name
                    """,
                arguments: arguments
            ).map {
                RepositoryKeys(
                    name: $0["name"], lastUpdated: ($0["last_updated"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    downloadCount: $0["download_count"], starCount: 0)
            }
        }
    }

    /// The platforms (os, zot's arch) reachable from each repository's listed tags.
    func platformsByRepository() throws -> [String: Set<ZotPlatform>] {
        try database.pool.read { db in
            var platforms: [String: Set<ZotPlatform>] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT p.repository, p.os, p.arch FROM search_platform p
                    JOIN search_tag t ON t.repository = p.repository AND t.digest = p.digest WHERE t.is_signature = 0
                    """)
            {
                platforms[row["repository"], default: []].insert(ZotPlatform(os: row["os"], arch: row["arch"]))
            }
            return platforms
        }
    }

    /// What is attached to `digest` in one read: the image under cosign's signature tag for it, and the
    /// manifests whose subject it is (referrers and signatures), in push order.
    func attachments(of digest: String, in repository: String) throws -> (cosign: IndexedImage?, referring: [IndexedImage]) {
        try database.pool.read { db in
            let cosign = try SignatureTag.cosignTag(of: digest).flatMap { try taggedImage($0, in: repository, db)?.image }
            return (cosign, try referring(to: digest, in: repository, db))
        }
    }

    /// Manifests in `repository` whose subject is `digest`, in push order: referrers and signatures.
    func referring(to digest: String, in repository: String) throws -> [IndexedImage] {
        try database.pool.read { db in try referring(to: digest, in: repository, db) }
    }

    private func referring(to digest: String, in repository: String, _ db: Database) throws -> [IndexedImage] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT \(Self.imageColumns) FROM search_image i WHERE i.repository = ? AND i.subject = ? ORDER BY i.pushed_at, i.digest"),
            arguments: [repository, digest]
        ).map(decode)
    }

    func taggedImage(_ row: Row) throws -> TaggedImage {
        TaggedImage(
            tag: row["name"], taggedAt: Date(timeIntervalSince1970: row["tagged_at"]), image: try decode(row),
            downloadCount: row["download_count"],
            lastPull: (row["last_pull"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    /// The columns `decode` reads, of `search_image` as `i`.
    static let imageColumns = """
        i.repository AS image_repository, i.digest AS image_digest, i.media_type, i.pushed_at, i.pushed_by, i.config_digest,
        (SELECT m.bytes FROM search_manifest m WHERE m.id = i.manifest_id) AS manifest,
        (SELECT c.bytes FROM search_config c WHERE c.digest = i.config_digest) AS config
        """

    /// The entry of a row, derived once per repository and digest (a digest's content never changes), with the
    /// push time the row keeps (a rebuild restores it).
    func decode(_ row: Row) throws -> IndexedImage {
        let repository: String = row["image_repository"]
        let digest: String = row["image_digest"]
        let pushedAt = Date(timeIntervalSince1970: row["pushed_at"])
        var image = try decoded.value(for: "\(repository)@\(digest)") { _ in
            let config: Data? = row["config"]
            let configDigest: String? = row["config_digest"]
            return try IndexedImage(
                repository: repository, digest: digest, mediaType: row["media_type"], manifest: Array(row["manifest"] as Data),
                config: configDigest.flatMap { digest in config.flatMap { configSummaries.summary(of: digest, bytes: Array($0)) } },
                pushedAt: pushedAt)
        }
        image.pushedAt = pushedAt
        image.pushedBy = row["pushed_by"]
        return image
    }
}

extension SearchIndex {
    /// The image a tag points at, signatures' tags included.
    func taggedImage(_ tag: String, in repository: String) throws -> TaggedImage? {
        try database.pool.read { db in try taggedImage(tag, in: repository, db) }
    }

    private func taggedImage(_ tag: String, in repository: String, _ db: Database) throws -> TaggedImage? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT t.repository, t.name, t.tagged_at, \(Self.imageColumns), i.download_count, i.last_pull
                    FROM search_tag t JOIN search_image i ON i.repository = t.repository AND i.digest = t.digest
                    WHERE t.repository = ? AND t.name = ?
                    """),
            arguments: [repository, tag]
        ).map(taggedImage)
    }
}

extension SearchIndex {
    /// One repository's keys, nil when it has no listed image.
    func repositoryKeys(named name: String) throws -> RepositoryKeys? {
        try repositoryKeys(where: "r.name = ?", [name]).first
    }

    /// Whether the index knows anything of `repository` (a manifest, tagged or not).
    func repositoryExists(_ repository: String) throws -> Bool {
        try database.pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM search_image WHERE repository = ? LIMIT 1", arguments: [repository])
                ?? false
        }
    }
}
