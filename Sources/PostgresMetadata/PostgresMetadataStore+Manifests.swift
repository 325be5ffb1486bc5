import NIOCore
import PostgresNIO
import Storage

extension PostgresMetadataStore {
    public func putManifest(_ manifest: NewManifest, tags: [Tag]) async throws {
        try await database.transaction(queue: Self.queue(manifest.repository)) { transaction in
            try await Self.insertManifest(transaction, manifest, tags: tags)
        }
    }

    public func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest? {
        let rows =
            switch reference {
            case .tag(let tag): try await database.execute(ManifestByTag(repository: repository.value, key: tag.value))
            case .digest(let digest):
                try await database.execute(ManifestByDigest(repository: repository.value, key: digest.description))
            }
        guard let (digest, mediaType, content) = rows.first else { return nil }
        return StoredManifest(
            digest: try Digest(parsing: digest), mediaType: mediaType, content: Array(content.readableBytesView))
    }

    public func deleteManifest(_ digest: Digest, in repository: RepositoryName) async throws -> Bool {
        try await database.transaction(queue: Self.queue(repository)) { transaction in
            let deleted = try await transaction.run(
                "DELETE FROM manifest WHERE repository = \(repository.value) AND digest = \(digest.description) RETURNING 1")
            if !deleted.isEmpty {
                try await Self.recordChange(
                    transaction, "manifestDeleted", in: repository.value, digest: digest.description)
            }
            try await transaction.run(
                """
                DELETE FROM repository WHERE name = \(repository.value)
                AND NOT EXISTS (SELECT 1 FROM manifest WHERE repository = \(repository.value))
                """)
            return !deleted.isEmpty
        }
    }

    public func deleteTag(_ tag: Tag, in repository: RepositoryName) async throws -> Bool {
        try await database.transaction(queue: Self.queue(repository)) { transaction in
            let deleted = try await !transaction.run(
                "DELETE FROM tag WHERE repository = \(repository.value) AND name = \(tag.value) RETURNING 1"
            ).isEmpty
            if deleted { try await Self.recordChange(transaction, "tagDeleted", in: repository.value, tag: tag.value) }
            return deleted
        }
    }

    /// One statement, so that whether the repository is known and its tags come from one snapshot.
    public func tags(in repository: RepositoryName, after last: String?, limit: Int?) async throws -> [String]? {
        guard
            let row = try await database.run(
                """
                SELECT EXISTS (SELECT 1 FROM repository WHERE name = \(repository.value))
                       OR EXISTS (SELECT 1 FROM blob_link WHERE repository = \(repository.value)),
                       ARRAY(SELECT name FROM tag WHERE repository = \(repository.value) AND name > \(last ?? "")
                             ORDER BY name LIMIT \(limit.map(Int64.init)))
                """
            ).first
        else { return nil }
        let (known, tags) = try row.decode((Bool, [String]).self)
        return known ? tags : nil
    }

    public func repositories(after last: String?, limit: Int?) async throws -> [String] {
        try await database.run(
            "SELECT name FROM repository WHERE name > \(last ?? "") ORDER BY name LIMIT \(limit.map(Int64.init))"
        ).map { try $0.decode(String.self) }
    }

    public func referrers(of digest: Digest, in repository: RepositoryName, artifactType: String?) async throws
        -> [Referrer]
    {
        try await database.run(
            """
            SELECT digest, media_type, octet_length(content)::bigint, artifact_type, annotations FROM manifest
            WHERE repository = \(repository.value) AND subject = \(digest.description)
            AND (\(artifactType)::text IS NULL OR artifact_type = \(artifactType)) ORDER BY digest
            """
        ).map { row in
            let (digest, mediaType, size, artifactType, annotations) = try row.decode(
                (String, String, Int64, String?, String?).self)
            return Referrer(
                digest: try Digest(parsing: digest), mediaType: mediaType, size: size, artifactType: artifactType,
                annotationsJSON: annotations)
        }
    }

    public func manifestsListing(_ digest: Digest, in repository: RepositoryName) async throws -> [Digest] {
        try await database.run(
            """
            SELECT r.manifest FROM manifest_reference r
            JOIN manifest m ON m.repository = r.repository AND m.digest = r.target
            WHERE r.repository = \(repository.value) AND r.target = \(digest.description) ORDER BY r.manifest
            """
        ).map { try Digest(parsing: try $0.decode(String.self)) }
    }

    /// Writers of one repository's manifests and tags take turns: they touch the same tag and repository rows.
    static func queue(_ repository: RepositoryName) -> String { "zotd repository \(repository.value)" }

    /// Stores a manifest and points `tags` at it, after checking that everything it references is present.
    static func insertManifest(_ transaction: SharedPostgresDatabase.Transaction, _ manifest: NewManifest, tags: [Tag]) async throws {
        let repository = manifest.repository.value
        let digest = manifest.digest.description
        let blobs = manifest.parsed.blobs.map(\.description)
        let present = Set(
            try await transaction.run(
                "SELECT digest FROM blob_link WHERE repository = \(repository) AND digest = ANY(\(blobs))"
            ).map { try $0.decode(String.self) })
        if let missing = manifest.parsed.blobs.first(where: { !present.contains($0.description) }) {
            throw StorageError.manifestBlobUnknown(missing)
        }
        let children = manifest.parsed.manifests.map(\.description)
        let stored = Set(
            try await transaction.run(
                "SELECT digest FROM manifest WHERE repository = \(repository) AND digest = ANY(\(children))"
            ).map { try $0.decode(String.self) })
        if let missing = manifest.parsed.manifests.first(where: { !stored.contains($0.description) }) {
            throw StorageError.manifestBlobUnknown(missing)
        }
        try await transaction.run(
            """
            INSERT INTO manifest(repository, digest, media_type, artifact_type, subject, annotations, content, created_at)
            VALUES (\(repository), \(digest), \(manifest.parsed.mediaType.rawValue), \(manifest.parsed.artifactType),
                    \(manifest.parsed.subject?.description), \(manifest.parsed.annotationsJSON),
                    \(ByteBuffer(bytes: manifest.content)), \(manifest.createdAt))
            ON CONFLICT (repository, digest) DO NOTHING
            """)
        let targets = Array(Set(blobs + children))
        if !targets.isEmpty {
            try await transaction.run(
                """
                INSERT INTO manifest_reference(repository, manifest, target)
                SELECT \(repository), \(digest), target FROM unnest(\(targets)::text[]) AS target
                ON CONFLICT DO NOTHING
                """)
        }
        let tagNames = Array(Set(tags.map(\.value)))
        if !tagNames.isEmpty {
            try await transaction.run(
                """
                INSERT INTO tag(repository, name, digest, updated_at)
                SELECT \(repository), name, \(digest), \(manifest.createdAt) FROM unnest(\(tagNames)::text[]) AS name
                ON CONFLICT (repository, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
                """)
        }
        try await transaction.run("INSERT INTO repository(name) VALUES (\(repository)) ON CONFLICT DO NOTHING")
        var pushedTags: [String] = []
        for tag in tags.map(\.value) where !pushedTags.contains(tag) { pushedTags.append(tag) }
        try await recordChange(
            transaction, "stored", in: repository, digest: digest, tags: pushedTags, pushedBy: manifest.pushedBy)
    }
}
