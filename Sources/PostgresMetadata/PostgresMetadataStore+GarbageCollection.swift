import PostgresNIO
import Storage

extension PostgresMetadataStore {
    /// The SQLite store's collection in one serializable transaction: a push committed on another replica
    /// meanwhile either lands before it (and is seen live) or makes it run again.
    public func collectGarbage(olderThan cutoff: Double) async throws -> GarbageCandidates {
        try await database.transaction { transaction in
            // A manifest is live when tagged, younger than the cutoff, listed by a live index, or a referrer of
            // a live manifest (signatures and SBOMs follow their image). PostgreSQL lets the recursive term name
            // `live` once, so both ways down from a live manifest go through one lateral join.
            let manifestsDeleted = try await transaction.run(
                """
                WITH RECURSIVE live(repository, digest) AS (
                    SELECT m.repository, m.digest FROM manifest m
                    WHERE m.created_at >= \(cutoff)
                       OR EXISTS (SELECT 1 FROM tag t WHERE t.repository = m.repository AND t.digest = m.digest)
                    UNION
                    SELECT next.repository, next.digest FROM live l CROSS JOIN LATERAL (
                        SELECT r.repository, r.target AS digest FROM manifest_reference r
                        WHERE r.repository = l.repository AND r.manifest = l.digest
                        UNION ALL
                        SELECT m.repository, m.digest FROM manifest m
                        WHERE m.repository = l.repository AND m.subject = l.digest
                    ) AS next
                )
                DELETE FROM manifest m WHERE NOT EXISTS (
                    SELECT 1 FROM live l WHERE l.repository = m.repository AND l.digest = m.digest)
                RETURNING 1
                """
            ).count
            if manifestsDeleted > 0 { try await Self.recordChange(transaction, "collected", in: "") }
            try await transaction.run(
                "DELETE FROM repository WHERE NOT EXISTS (SELECT 1 FROM manifest WHERE repository = name)")
            // A link younger than the cutoff may belong to a push whose manifest has not arrived yet.
            let linksDeleted = try await transaction.run(
                """
                DELETE FROM blob_link WHERE linked_at < \(cutoff) AND NOT EXISTS (
                    SELECT 1 FROM manifest_reference r
                    WHERE r.repository = blob_link.repository AND r.target = blob_link.digest)
                RETURNING 1
                """
            ).count
            let unlinked = try await transaction.run(
                """
                SELECT digest FROM blob WHERE created_at < \(cutoff)
                AND NOT EXISTS (SELECT 1 FROM blob_link l WHERE l.digest = blob.digest)
                """
            ).map { try Digest(parsing: try $0.decode(String.self)) }
            let stale = try await transaction.run("SELECT id FROM upload WHERE updated_at < \(cutoff)")
                .map { try $0.decode(String.self) }
            return GarbageCandidates(
                manifestsDeleted: manifestsDeleted, linksDeleted: linksDeleted, unlinkedBlobs: unlinked,
                staleUploads: stale)
        }
    }

    public func forgetBlobIfUnlinked(_ digest: Digest) async throws -> Bool {
        try await database.transaction { transaction in
            try await !transaction.run(
                """
                DELETE FROM blob WHERE digest = \(digest.description)
                AND NOT EXISTS (SELECT 1 FROM blob_link WHERE digest = \(digest.description))
                RETURNING 1
                """
            ).isEmpty
        }
    }
}
