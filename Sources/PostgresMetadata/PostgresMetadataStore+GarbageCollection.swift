import PostgresNIO
import Storage

extension PostgresMetadataStore {
    /// Rows reviewed per transaction: short transactions, so that pushes racing a review rarely conflict with
    /// it, and several collections share the queue a batch at a time.
    static let reviewBatch = 200
    /// Blobs a collection hands back for deletion at most; the rest wait for the next one.
    static let blobCandidatesPerCollection = 10_000

    /// Reviews what the queues hold (`PostgresReviewQueues`), in batches, each one serializable transaction:
    /// manifests first (deleting one queues what it referenced), then blob links (deleting one queues its blob),
    /// then blobs, which are handed back for deletion. A push committed meanwhile on another replica either
    /// lands before a batch (and is seen live) or makes it run again.
    public func collectGarbage(olderThan cutoff: Double) async throws -> GarbageCandidates {
        var manifestsDeleted = 0
        while let deleted = try await reviewManifests(olderThan: cutoff) { manifestsDeleted += deleted }
        if manifestsDeleted > 0 {
            try await database.transaction { transaction in
                try await Self.recordChange(transaction, "collected", in: "")
                try await transaction.run(
                    "DELETE FROM repository WHERE NOT EXISTS (SELECT 1 FROM manifest WHERE repository = name)")
            }
        }
        var linksDeleted = 0
        while let deleted = try await reviewLinks(olderThan: cutoff) { linksDeleted += deleted }
        let unlinked = try await reviewBlobs(olderThan: cutoff)
        let stale = try await database.run("SELECT id FROM upload WHERE updated_at < \(cutoff)").map { try $0.decode(String.self) }
        return GarbageCandidates(
            manifestsDeleted: manifestsDeleted, linksDeleted: linksDeleted, unlinkedBlobs: unlinked, staleUploads: stale)
    }

    /// One batch of manifests: deleted unless tagged, younger than the cutoff, listed by a live index, or a
    /// referrer of a live manifest (the same rule as SQLite's collection, followed upwards from each queued
    /// manifest). nil when the queue holds nothing due.
    private func reviewManifests(olderThan cutoff: Double) async throws -> Int? {
        try await review(.manifests, olderThan: cutoff) { transaction, repositories, digests in
            // PostgreSQL lets the recursive term name `up` once, so both ways up from a manifest (the manifests
            // listing it, the subject it refers to) go through one lateral join.
            try await transaction.run(
                """
                WITH RECURSIVE up(repository, digest, origin) AS (
                    SELECT repository COLLATE "C", digest COLLATE "C", digest COLLATE "C"
                    FROM unnest(\(repositories)::text[], \(digests)::text[]) AS queued(repository, digest)
                    UNION
                    SELECT next.repository, next.digest, up.origin FROM up CROSS JOIN LATERAL (
                        SELECT r.repository, r.manifest AS digest FROM manifest_reference r
                        WHERE r.repository = up.repository AND r.target = up.digest
                        UNION ALL
                        SELECT m.repository, m.subject AS digest FROM manifest m
                        WHERE m.repository = up.repository AND m.digest = up.digest AND m.subject IS NOT NULL
                    ) AS next
                ),
                live AS (
                    SELECT DISTINCT up.repository, up.origin AS digest FROM up
                    JOIN manifest m ON m.repository = up.repository AND m.digest = up.digest
                    WHERE m.created_at >= \(cutoff)
                       OR EXISTS (SELECT 1 FROM tag t WHERE t.repository = m.repository AND t.digest = m.digest)
                )
                DELETE FROM manifest m
                USING unnest(\(repositories)::text[], \(digests)::text[]) AS queued(repository, digest)
                WHERE m.repository = queued.repository AND m.digest = queued.digest
                AND NOT EXISTS (SELECT 1 FROM live l WHERE l.repository = m.repository AND l.digest = m.digest)
                RETURNING 1
                """
            ).count
        }
    }

    /// One batch of blob links: deleted when older than the cutoff and used by no manifest of the repository
    /// (a younger one may belong to a push whose manifest has not come yet). nil when nothing is due.
    private func reviewLinks(olderThan cutoff: Double) async throws -> Int? {
        try await review(.links, olderThan: cutoff) { transaction, repositories, digests in
            try await transaction.run(
                """
                DELETE FROM blob_link l
                USING unnest(\(repositories)::text[], \(digests)::text[]) AS queued(repository, digest)
                WHERE l.repository = queued.repository AND l.digest = queued.digest AND l.linked_at < \(cutoff)
                AND NOT EXISTS (SELECT 1 FROM manifest_reference r WHERE r.repository = l.repository AND r.target = l.digest)
                RETURNING 1
                """
            ).count
        }
    }

    /// A queue of things kept per repository, and the table and age of what it queues.
    private enum RepositoryQueue: String {
        case manifests = "gc_manifest_review"
        case links = "gc_link_review"

        var subject: (table: String, age: String) {
            switch self {
            case .manifests: ("manifest", "created_at")
            case .links: ("blob_link", "linked_at")
            }
        }
    }

    /// One batch of `queue`, in one transaction: its due rows, taken with `FOR UPDATE SKIP LOCKED`; those
    /// whose subject is younger than the cutoff, queued again for when it is not; `deleteDead` given the rest's
    /// keys (repositories and digests, in step) to delete what is dead and say how many; and the rows reviewed
    /// taken off the queue. nil when nothing is due.
    private func review(
        _ queue: RepositoryQueue, olderThan cutoff: Double,
        deleteDead: @escaping @Sendable (SharedPostgresDatabase.Transaction, [String], [String]) async throws -> Int
    ) async throws -> Int? {
        let (table, age) = queue.subject
        return try await database.transaction { transaction in
            var binds = PostgresBindings()
            binds.append(cutoff)
            binds.append(Int64(Self.reviewBatch))
            let queued = try await transaction.run(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT repository, digest FROM \(queue.rawValue) WHERE queued_at < $1
                        ORDER BY queued_at LIMIT $2 FOR UPDATE SKIP LOCKED
                        """, binds: binds)
            ).map { try $0.decode((String, String).self) }
            guard !queued.isEmpty else { return nil }
            let (repositories, digests) = (queued.map(\.0), queued.map(\.1))
            binds = PostgresBindings()
            binds.append(repositories)
            binds.append(digests)
            binds.append(cutoff)
            try await transaction.run(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE \(queue.rawValue) q SET queued_at = s.\(age) FROM \(table) s
                        WHERE (q.repository, q.digest) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                        AND s.repository = q.repository AND s.digest = q.digest AND s.\(age) >= $3
                        """, binds: binds))
            let deleted = try await deleteDead(transaction, repositories, digests)
            try await transaction.run(
                PostgresQuery(
                    unsafeSQL: """
                        DELETE FROM \(queue.rawValue)
                        WHERE (repository, digest) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND queued_at < $3
                        """, binds: binds))
            return deleted
        }
    }

    /// Blobs no repository links and older than the cutoff, for the caller to delete (`forgetBlobIfUnlinked`,
    /// which takes their rows off the queue). Rows of blobs linked again or gone are taken off here; young ones
    /// come up again when they are not.
    private func reviewBlobs(olderThan cutoff: Double) async throws -> [Digest] {
        try await database.transaction { transaction in
            let queued = try await transaction.run(
                """
                SELECT digest FROM gc_blob_review WHERE queued_at < \(cutoff)
                ORDER BY queued_at LIMIT \(Int64(Self.blobCandidatesPerCollection)) FOR UPDATE SKIP LOCKED
                """
            ).map { try $0.decode(String.self) }
            guard !queued.isEmpty else { return [] }
            try await transaction.run(
                """
                UPDATE gc_blob_review q SET queued_at = b.created_at FROM blob b
                WHERE q.digest = ANY(\(queued)) AND b.digest = q.digest AND b.created_at >= \(cutoff)
                """)
            let unlinked = try await transaction.run(
                """
                SELECT b.digest FROM blob b WHERE b.digest = ANY(\(queued)) AND b.created_at < \(cutoff)
                AND NOT EXISTS (SELECT 1 FROM blob_link l WHERE l.digest = b.digest)
                """
            ).map { try $0.decode(String.self) }
            try await transaction.run(
                """
                DELETE FROM gc_blob_review WHERE digest = ANY(\(queued)) AND queued_at < \(cutoff)
                AND digest <> ALL(\(unlinked))
                """)
            return try unlinked.map { try Digest(parsing: $0) }
        }
    }

    public func forgetBlobIfUnlinked(_ digest: Digest) async throws -> Bool {
        try await database.transaction { transaction in
            let forgotten = try await !transaction.run(
                """
                DELETE FROM blob WHERE digest = \(digest.description)
                AND NOT EXISTS (SELECT 1 FROM blob_link WHERE digest = \(digest.description))
                RETURNING 1
                """
            ).isEmpty
            // Gone, or linked again: either way nothing is left to review until it changes again.
            try await transaction.run("DELETE FROM gc_blob_review WHERE digest = \(digest.description)")
            return forgotten
        }
    }
}
