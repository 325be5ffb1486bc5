/// The review queues online collection works from in PostgreSQL, as GitLab's container registry does: what may
/// have lost its last reference is queued by triggers in the transaction that made it so (a manifest stored or
/// untagged, a manifest deleted with what it referenced and what referred to it, a blob link made or removed,
/// a blob stored), and a collection reviews only those rows, not the whole store. Any number of collections,
/// on any replicas, review at once: each takes its rows with `FOR UPDATE SKIP LOCKED`.
///
/// A row is queued at 0 ("review at the next collection") and judged when reviewed: something still young
/// (within the collection's delay) is queued again for when it will not be.
enum PostgresReviewQueues {
    static let migration = PostgresMigration(
        "v4",
        [
            """
            CREATE TABLE gc_manifest_review (
                repository text COLLATE "C" NOT NULL,
                digest text COLLATE "C" NOT NULL,
                queued_at double precision NOT NULL,
                PRIMARY KEY (repository, digest)
            )
            """,
            "CREATE INDEX gc_manifest_review_by_time ON gc_manifest_review(queued_at)",
            """
            CREATE TABLE gc_link_review (
                repository text COLLATE "C" NOT NULL,
                digest text COLLATE "C" NOT NULL,
                queued_at double precision NOT NULL,
                PRIMARY KEY (repository, digest)
            )
            """,
            "CREATE INDEX gc_link_review_by_time ON gc_link_review(queued_at)",
            "CREATE TABLE gc_blob_review (digest text COLLATE \"C\" PRIMARY KEY, queued_at double precision NOT NULL)",
            "CREATE INDEX gc_blob_review_by_time ON gc_blob_review(queued_at)",
            // A stored manifest may never be tagged; an untagged one, or one whose tag moved, may be unreferenced.
            """
            CREATE FUNCTION gc_queue_manifest() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_TABLE_NAME = 'manifest' THEN
                    INSERT INTO gc_manifest_review VALUES (NEW.repository, NEW.digest, 0) ON CONFLICT DO NOTHING;
                ELSIF TG_OP = 'DELETE' OR OLD.digest <> NEW.digest THEN
                    INSERT INTO gc_manifest_review VALUES (OLD.repository, OLD.digest, 0) ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER gc_manifest_stored AFTER INSERT ON manifest FOR EACH ROW EXECUTE FUNCTION gc_queue_manifest()",
            "CREATE TRIGGER gc_tag_moved AFTER UPDATE OR DELETE ON tag FOR EACH ROW EXECUTE FUNCTION gc_queue_manifest()",
            // A deleted manifest's referrers (signatures, SBOMs) may be unreferenced now.
            """
            CREATE FUNCTION gc_queue_referrers() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO gc_manifest_review
                SELECT repository, digest, 0 FROM manifest WHERE repository = OLD.repository AND subject = OLD.digest
                ON CONFLICT DO NOTHING;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER gc_manifest_deleted AFTER DELETE ON manifest FOR EACH ROW EXECUTE FUNCTION gc_queue_referrers()",
            // What a deleted manifest referenced (its blobs' links, an index's manifests) may be unreferenced now.
            """
            CREATE FUNCTION gc_queue_target() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM blob_link WHERE repository = OLD.repository AND digest = OLD.target) THEN
                    INSERT INTO gc_link_review VALUES (OLD.repository, OLD.target, 0) ON CONFLICT DO NOTHING;
                END IF;
                IF EXISTS (SELECT 1 FROM manifest WHERE repository = OLD.repository AND digest = OLD.target) THEN
                    INSERT INTO gc_manifest_review VALUES (OLD.repository, OLD.target, 0) ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER gc_reference_deleted AFTER DELETE ON manifest_reference FOR EACH ROW EXECUTE FUNCTION gc_queue_target()",
            // A blob pushed may never be referenced by a manifest; a link removed may leave its blob unlinked.
            """
            CREATE FUNCTION gc_queue_link() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    INSERT INTO gc_blob_review VALUES (OLD.digest, 0) ON CONFLICT DO NOTHING;
                ELSE
                    INSERT INTO gc_link_review VALUES (NEW.repository, NEW.digest, 0) ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER gc_link_changed AFTER INSERT OR UPDATE OR DELETE ON blob_link FOR EACH ROW EXECUTE FUNCTION gc_queue_link()",
            """
            CREATE FUNCTION gc_queue_blob() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO gc_blob_review VALUES (NEW.digest, 0) ON CONFLICT DO NOTHING;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER gc_blob_stored AFTER INSERT ON blob FOR EACH ROW EXECUTE FUNCTION gc_queue_blob()",
            // What is stored already is reviewed once, at the first collection.
            "INSERT INTO gc_manifest_review SELECT repository, digest, 0 FROM manifest",
            "INSERT INTO gc_link_review SELECT repository, digest, 0 FROM blob_link",
            "INSERT INTO gc_blob_review SELECT digest, 0 FROM blob",
        ]
    )
}
