import PostgresNIO

/// The PostgreSQL schema, as migrations: the SQLite schema's tables and rules, in PostgreSQL's words. A shipped
/// migration never changes.
///
/// Names compare byte by byte (`COLLATE "C"`), as in SQLite: tag and catalog pages are in the order the
/// distribution spec gives, whatever locale the database was created with.
enum PostgresMetadataSchema {
    static let migrations: [PostgresMigration] = [
        PostgresMigration(
            "v1",
            [
                """
                CREATE TABLE blob (
                    digest text COLLATE "C" PRIMARY KEY,
                    size bigint NOT NULL CHECK (size >= 0),
                    created_at double precision NOT NULL
                )
                """,
                """
                CREATE TABLE blob_link (
                    repository text COLLATE "C" NOT NULL,
                    digest text COLLATE "C" NOT NULL REFERENCES blob(digest),
                    linked_at double precision NOT NULL,
                    PRIMARY KEY (repository, digest)
                )
                """,
                "CREATE INDEX blob_link_by_digest ON blob_link(digest)",
                """
                CREATE TABLE manifest (
                    repository text COLLATE "C" NOT NULL,
                    digest text COLLATE "C" NOT NULL,
                    media_type text NOT NULL,
                    artifact_type text,
                    subject text COLLATE "C",
                    annotations text,
                    content bytea NOT NULL,
                    created_at double precision NOT NULL,
                    PRIMARY KEY (repository, digest)
                )
                """,
                "CREATE INDEX manifest_by_subject ON manifest(repository, subject) WHERE subject IS NOT NULL",
                """
                CREATE TABLE manifest_reference (
                    repository text COLLATE "C" NOT NULL,
                    manifest text COLLATE "C" NOT NULL,
                    target text COLLATE "C" NOT NULL,
                    PRIMARY KEY (repository, manifest, target),
                    FOREIGN KEY (repository, manifest) REFERENCES manifest(repository, digest) ON DELETE CASCADE
                )
                """,
                "CREATE INDEX manifest_reference_by_target ON manifest_reference(repository, target)",
                """
                CREATE TABLE tag (
                    repository text COLLATE "C" NOT NULL,
                    name text COLLATE "C" NOT NULL,
                    digest text COLLATE "C" NOT NULL,
                    updated_at double precision NOT NULL,
                    PRIMARY KEY (repository, name),
                    FOREIGN KEY (repository, digest) REFERENCES manifest(repository, digest) ON DELETE CASCADE
                )
                """,
                "CREATE INDEX tag_by_digest ON tag(repository, digest)",
                // Repositories holding at least one manifest: what the catalog lists.
                "CREATE TABLE repository (name text COLLATE \"C\" PRIMARY KEY)",
                """
                CREATE TABLE upload (
                    id text COLLATE "C" PRIMARY KEY,
                    repository text COLLATE "C" NOT NULL,
                    created_at double precision NOT NULL,
                    updated_at double precision NOT NULL
                )
                """,
                // Repositories taken over from a zot storage root, with the digest of the index.json adopted.
                """
                CREATE TABLE adopted_layout (
                    repository text COLLATE "C" PRIMARY KEY,
                    index_digest text NOT NULL,
                    adopted_at double precision NOT NULL
                )
                """,
            ]
        ),
        PostgresMigration(
            "v2",
            [
                // When each background pass last began on any replica (`SharedPostgresDatabase.runOnce`).
                "CREATE TABLE zotd_background_pass (name text PRIMARY KEY, started_at double precision NOT NULL)"
            ]
        ),
        PostgresMigration(
            "v3",
            [
                // Changes to manifests and tags, for the replicas that follow them (`MetadataChangeFeed`).
                """
                CREATE TABLE metadata_change (
                    position bigserial PRIMARY KEY,
                    changed_at double precision NOT NULL,
                    repository text COLLATE "C" NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('stored', 'manifestDeleted', 'tagDeleted', 'collected')),
                    digest text,
                    tag text,
                    tags text[] NOT NULL DEFAULT '{}',
                    pushed_by text NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX metadata_change_by_time ON metadata_change(changed_at)",
            ]
        ),
        PostgresReviewQueues.migration,
        PostgresMigration(
            "v5",
            [
                // Pulls counted by each replica, for every replica's download counts.
                "ALTER TABLE metadata_change DROP CONSTRAINT metadata_change_kind_check",
                """
                ALTER TABLE metadata_change ADD CONSTRAINT metadata_change_kind_check
                CHECK (kind IN ('stored', 'manifestDeleted', 'tagDeleted', 'collected', 'pulled'))
                """,
                "ALTER TABLE metadata_change ADD COLUMN pulls bigint, ADD COLUMN last_pull double precision",
            ]
        ),
    ]
}
