import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func putManifest(_ manifest: NewManifest, tags: [Tag]) async throws {
        try await write { db in try Self.insertManifest(db, manifest, tags: tags) }
    }

    public func manifest(_ reference: Reference, in repository: RepositoryName) throws -> StoredManifest? {
        try readStatement { db in
            let row: Row?
            switch reference {
            case .tag(let tag):
                row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT m.digest, m.media_type, m.content FROM tag t
                            JOIN manifest m ON m.repository = t.repository AND m.digest = t.digest
                            WHERE t.repository = ? AND t.name = ?
                            """
                    ),
                    arguments: [repository.value, tag.value]
                )
            case .digest(let digest):
                row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT digest, media_type, content FROM manifest WHERE repository = ? AND digest = ?"
                    ),
                    arguments: [repository.value, digest.description]
                )
            }
            guard let row else { return nil }
            return StoredManifest(
                digest: try Digest(parsing: row[0] as String),
                mediaType: row[1],
                content: [UInt8](row[2] as Data)
            )
        }
    }

    public func deleteManifest(_ digest: Digest, in repository: RepositoryName) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM manifest WHERE repository = ? AND digest = ?")
                .execute(arguments: [repository.value, digest.description])
            let deleted = db.changesCount > 0
            try db.cachedStatement(
                sql: "DELETE FROM repository WHERE name = ? AND NOT EXISTS (SELECT 1 FROM manifest WHERE repository = ?)"
            ).execute(arguments: [repository.value, repository.value])
            return deleted
        }
    }

    public func deleteTag(_ tag: Tag, in repository: RepositoryName) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM tag WHERE repository = ? AND name = ?")
                .execute(arguments: [repository.value, tag.value])
            return db.changesCount > 0
        }
    }

    public func tags(in repository: RepositoryName, after last: String?, limit: Int?) throws -> [String]? {
        try read { db in
            let known =
                try Bool.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT EXISTS (SELECT 1 FROM repository WHERE name = ?1)
                                OR EXISTS (SELECT 1 FROM blob_link WHERE repository = ?1)
                            """
                    ),
                    arguments: [repository.value]
                ) ?? false
            guard known else { return nil }
            return try String.fetchAll(
                db.cachedStatement(sql: "SELECT name FROM tag WHERE repository = ? AND name > ? ORDER BY name LIMIT ?"),
                arguments: [repository.value, last ?? "", limit ?? -1]
            )
        }
    }

    public func repositories(after last: String?, limit: Int?) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT name FROM repository WHERE name > ? ORDER BY name LIMIT ?"),
                arguments: [last ?? "", limit ?? -1]
            )
        }
    }

    public func referrers(of digest: Digest, in repository: RepositoryName, artifactType: String?) throws -> [Referrer]
    {
        try read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT digest, media_type, length(content), artifact_type, annotations FROM manifest
                        WHERE repository = ? AND subject = ? AND (?3 IS NULL OR artifact_type = ?3) ORDER BY digest
                        """
                ),
                arguments: [repository.value, digest.description, artifactType]
            )
            return try rows.map { row in
                Referrer(
                    digest: try Digest(parsing: row[0] as String),
                    mediaType: row[1],
                    size: row[2],
                    artifactType: row[3],
                    annotationsJSON: row[4]
                )
            }
        }
    }

    public func manifestsListing(_ digest: Digest, in repository: RepositoryName) throws -> [Digest] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT r.manifest FROM manifest_reference r
                        JOIN manifest m ON m.repository = r.repository AND m.digest = r.target
                        WHERE r.repository = ? AND r.target = ? ORDER BY r.manifest
                        """),
                arguments: [repository.value, digest.description]
            ).map { try Digest(parsing: $0) }
        }
    }

    /// Stores a manifest and points `tags` at it, after checking that everything it references is present.
    static func insertManifest(_ db: Database, _ manifest: NewManifest, tags: [Tag]) throws {
        let repository = manifest.repository.value
        for blob in manifest.parsed.blobs {
            let present = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM blob_link WHERE repository = ? AND digest = ?"),
                arguments: [repository, blob.description]
            ) ?? false
            guard present else { throw StorageError.manifestBlobUnknown(blob) }
        }
        for child in manifest.parsed.manifests {
            guard try Self.hasManifest(db, child, in: repository) else {
                throw StorageError.manifestBlobUnknown(child)
            }
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO manifest(repository, digest, media_type, artifact_type, subject, annotations, content, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(repository, digest) DO NOTHING
                """
        ).execute(arguments: [
            repository, manifest.digest.description, manifest.parsed.mediaType.rawValue,
            manifest.parsed.artifactType, manifest.parsed.subject?.description, manifest.parsed.annotationsJSON,
            Data(manifest.content), manifest.createdAt,
        ])
        let reference = try db.cachedStatement(
            sql: "INSERT INTO manifest_reference(repository, manifest, target) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        )
        for target in manifest.parsed.blobs + manifest.parsed.manifests {
            try reference.execute(arguments: [repository, manifest.digest.description, target.description])
        }
        let tagStatement = try db.cachedStatement(
            sql: """
                INSERT INTO tag(repository, name, digest, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(repository, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
                """
        )
        for tag in tags {
            try tagStatement.execute(arguments: [repository, tag.value, manifest.digest.description, manifest.createdAt])
        }
        try db.cachedStatement(sql: "INSERT INTO repository(name) VALUES (?) ON CONFLICT DO NOTHING")
            .execute(arguments: [repository])
    }

    static func hasManifest(_ db: Database, _ digest: Digest, in repository: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM manifest WHERE repository = ? AND digest = ?"),
            arguments: [repository, digest.description]
        ) ?? false
    }
}
