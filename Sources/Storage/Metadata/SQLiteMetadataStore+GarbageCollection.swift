import GRDB

extension SQLiteMetadataStore {
    public func collectGarbage(olderThan cutoff: Double) async throws -> GarbageCandidates {
        try await write { db in
            // A manifest is live when tagged, younger than the cutoff, listed by a live index,
            // or a referrer of a live manifest (signatures and SBOMs follow their image).
            try db.execute(
                sql: """
                    WITH RECURSIVE live(repository, digest) AS (
                        SELECT repository, digest FROM tag
                        UNION SELECT repository, digest FROM manifest WHERE created_at >= ?1
                        UNION SELECT r.repository, r.target FROM manifest_reference r
                            JOIN live l ON r.repository = l.repository AND r.manifest = l.digest
                        UNION SELECT m.repository, m.digest FROM manifest m
                            JOIN live l ON m.repository = l.repository AND m.subject = l.digest
                    )
                    DELETE FROM manifest WHERE (repository, digest) NOT IN (SELECT repository, digest FROM live)
                    """,
                arguments: [cutoff]
            )
            let manifestsDeleted = db.changesCount
            try db.execute(sql: "DELETE FROM repository WHERE NOT EXISTS (SELECT 1 FROM manifest WHERE repository = name)")
            // A link younger than the cutoff may belong to a push whose manifest has not arrived yet.
            try db.execute(
                sql: """
                    DELETE FROM blob_link WHERE linked_at < ? AND NOT EXISTS (
                        SELECT 1 FROM manifest_reference r
                        WHERE r.repository = blob_link.repository AND r.target = blob_link.digest)
                    """,
                arguments: [cutoff]
            )
            let linksDeleted = db.changesCount
            let unlinked = try String.fetchAll(
                db,
                sql: """
                    SELECT digest FROM blob WHERE created_at < ?
                    AND NOT EXISTS (SELECT 1 FROM blob_link l WHERE l.digest = blob.digest)
                    """,
                arguments: [cutoff]
            )
            let stale = try String.fetchAll(db, sql: "SELECT id FROM upload WHERE updated_at < ?", arguments: [cutoff])
            return GarbageCandidates(
                manifestsDeleted: manifestsDeleted,
                linksDeleted: linksDeleted,
                unlinkedBlobs: try unlinked.map { try Digest(parsing: $0) },
                staleUploads: stale
            )
        }
    }

    public func forgetBlobIfUnlinked(_ digest: Digest) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(
                sql: "DELETE FROM blob WHERE digest = ?1 AND NOT EXISTS (SELECT 1 FROM blob_link WHERE digest = ?1)"
            ).execute(arguments: [digest.description])
            return db.changesCount > 0
        }
    }
}
