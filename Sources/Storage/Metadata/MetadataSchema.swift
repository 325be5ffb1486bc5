import GRDB

/// The SQLite schema, as migrations. A shipped migration never changes.
enum MetadataSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE blob (
                        digest TEXT PRIMARY KEY NOT NULL,
                        size INTEGER NOT NULL CHECK (size >= 0),
                        created_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE blob_link (
                        repository TEXT NOT NULL,
                        digest TEXT NOT NULL REFERENCES blob(digest),
                        linked_at REAL NOT NULL,
                        PRIMARY KEY (repository, digest)
                    ) WITHOUT ROWID;
                    CREATE INDEX blob_link_by_digest ON blob_link(digest);
                    CREATE TABLE manifest (
                        repository TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        media_type TEXT NOT NULL,
                        artifact_type TEXT,
                        subject TEXT,
                        annotations TEXT,
                        content BLOB NOT NULL,
                        created_at REAL NOT NULL,
                        PRIMARY KEY (repository, digest)
                    ) WITHOUT ROWID;
                    CREATE INDEX manifest_by_subject ON manifest(repository, subject) WHERE subject IS NOT NULL;
                    CREATE TABLE manifest_reference (
                        repository TEXT NOT NULL,
                        manifest TEXT NOT NULL,
                        target TEXT NOT NULL,
                        PRIMARY KEY (repository, manifest, target),
                        FOREIGN KEY (repository, manifest) REFERENCES manifest(repository, digest) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    CREATE INDEX manifest_reference_by_target ON manifest_reference(repository, target);
                    CREATE TABLE tag (
                        repository TEXT NOT NULL,
                        name TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        updated_at REAL NOT NULL,
                        PRIMARY KEY (repository, name),
                        FOREIGN KEY (repository, digest) REFERENCES manifest(repository, digest) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    CREATE INDEX tag_by_digest ON tag(repository, digest);
                    -- Repositories holding at least one manifest: what the catalog lists.
                    CREATE TABLE repository (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                    CREATE TABLE upload (
                        id TEXT PRIMARY KEY NOT NULL,
                        repository TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    -- Repositories taken over from a zot storage root, with the digest of the index.json adopted.
                    CREATE TABLE adopted_layout (
                        repository TEXT PRIMARY KEY NOT NULL,
                        index_digest TEXT NOT NULL,
                        adopted_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        return migrator
    }
}
