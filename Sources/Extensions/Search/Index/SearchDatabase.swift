import Foundation
import GRDB
import Storage

/// Search's tables, in `<rootDirectory>/_zotd/zotd-search.db` beside the metadata file: tables named `search_*`,
/// migrations `search.*`. Everything here is derived from storage (and rebuilt from it by `zotd reindex`)
/// except stars and bookmarks, which are the users' own.
///
/// A file of its own because SQLite has one writer per file: in `zotd.db` every indexing batch held the lock
/// manifest pushes commit under, and 50,000 pushes at c=8 went from p99 11 ms to 60 ms (bench/search.py).
final class SearchDatabase: Sendable {
    let pool: DatabasePool

    /// The file among zotd's own under the storage root.
    static func path(rootDirectory: String) -> String { BlobLayout(root: rootDirectory).stateFile("zotd-search.db") }

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.maximumReaderCount = 4
        // Everything but stars and bookmarks is derived and rebuilt by `zotd reindex`: a commit need not wait
        // for the disk (WAL with NORMAL still never corrupts; a power cut loses at most the last batches).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            guard !db.configuration.readonly else { return }
            // Pushes to many repositories land all over the index's trees. With SQLite's 2 MiB cache and a
            // checkpoint every 1,000 pages, indexing a push cost 140 µs of CPU at 30,000 images, re-reading
            // pages and copying each batch's pages into the file; with these, 65 µs (bench/search.py).
            try db.execute(sql: "PRAGMA cache_size = -32768")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// The schema, as migrations. A shipped migration never changes.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("search.v1") { db in
            try db.execute(
                sql: """
                    -- One manifest or index in one repository, with the bytes IndexedImage is derived from: deriving
                    -- again when read (and caching) costs less than encoding a derived form on every push.
                    CREATE TABLE search_image (
                        repository TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        subject TEXT,
                        is_index INTEGER NOT NULL,
                        -- When it was built (config `created`, else its last history entry; an index: its newest image).
                        built_at REAL,
                        pushed_at REAL NOT NULL,
                        download_count INTEGER NOT NULL DEFAULT 0,
                        last_pull REAL,
                        media_type TEXT NOT NULL,
                        manifest BLOB NOT NULL,
                        config_digest TEXT,
                        PRIMARY KEY (repository, digest)
                    ) WITHOUT ROWID;
                    CREATE INDEX search_image_by_digest ON search_image(digest);
                    CREATE INDEX search_image_by_config ON search_image(config_digest) WHERE config_digest IS NOT NULL;
                    -- Image configs, once per digest: the tags of one build, in any repository, share one.
                    CREATE TABLE search_config (digest TEXT PRIMARY KEY NOT NULL, bytes BLOB NOT NULL);
                    CREATE INDEX search_image_by_subject ON search_image(repository, subject) WHERE subject IS NOT NULL;
                    CREATE TABLE search_tag (
                        repository TEXT NOT NULL,
                        name TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        tagged_at REAL NOT NULL,
                        -- A signature's tag, or a referrers-API fallback tag: never listed as an image.
                        is_signature INTEGER NOT NULL,
                        PRIMARY KEY (repository, name)
                    ) WITHOUT ROWID;
                    CREATE INDEX search_tag_by_digest ON search_tag(repository, digest);
                    -- The platforms an image runs on, as zot spells them (`arm/v7`): its config's, or for an index
                    -- those of the images it lists.
                    CREATE TABLE search_platform (
                        repository TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        os TEXT NOT NULL,
                        arch TEXT NOT NULL,
                        PRIMARY KEY (repository, digest, os, arch)
                    ) WITHOUT ROWID;
                    -- What sorts and pages repositories without reading their images: kept per repository
                    -- from its tagged images whenever they change.
                    CREATE TABLE search_repository (
                        name TEXT PRIMARY KEY NOT NULL,
                        last_updated REAL,
                        download_count INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    CREATE INDEX search_repository_by_update ON search_repository(last_updated);
                    CREATE TABLE search_star (
                        user TEXT NOT NULL,
                        repository TEXT NOT NULL,
                        PRIMARY KEY (user, repository)
                    ) WITHOUT ROWID;
                    CREATE INDEX search_star_by_repository ON search_star(repository);
                    CREATE TABLE search_bookmark (
                        user TEXT NOT NULL,
                        repository TEXT NOT NULL,
                        PRIMARY KEY (user, repository)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("search.v2") { db in try migrateToV2(db) }
        migrator.registerMigration("search.v3") { db in
            // The trust extension's verdicts, one per signature layer (`SignatureVerdicts`).
            try db.execute(
                sql: """
                    CREATE TABLE search_signature_verdict (
                        repository TEXT NOT NULL,
                        signature TEXT NOT NULL,
                        layer INTEGER NOT NULL,
                        subject TEXT NOT NULL,
                        tool TEXT NOT NULL,
                        trusted INTEGER NOT NULL,
                        author TEXT NOT NULL,
                        PRIMARY KEY (repository, signature, layer)
                    ) WITHOUT ROWID;
                    CREATE INDEX search_signature_verdict_by_subject ON search_signature_verdict(repository, subject);
                    """)
        }
        migrator.registerMigration("search.v4") { db in
            // How far this replica's index has followed the changes of metadata shared with other replicas
            // (`SharedChangeFollower`): one row, once it has.
            try db.execute(
                sql: "CREATE TABLE search_feed (id INTEGER PRIMARY KEY CHECK (id = 1), floor INTEGER NOT NULL)")
        }
        return migrator
    }

    /// Manifest bytes move out of `search_image` into `search_manifest`, appended in push order, and images
    /// gain `pushed_by` (zot's `PushedBy`: who first pushed the manifest to the repository).
    ///
    /// `search_image` is keyed by repository, so pushes to many repositories insert all over it: with the
    /// bytes in it, 50,000 images took 114 MB of half-empty pages (a page split on nearly every push) and
    /// indexing cost pushes 8 % of their throughput at 10,000 images but 20 % at 50,000 (bench/search.py).
    /// Appended by row id, the bytes fill pages in order and the keyed rows stay small.
    private static func migrateToV2(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE search_manifest (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL);
                CREATE TABLE search_image_v2 (
                    repository TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    subject TEXT,
                    is_index INTEGER NOT NULL,
                    built_at REAL,
                    pushed_at REAL NOT NULL,
                    pushed_by TEXT NOT NULL DEFAULT '',
                    download_count INTEGER NOT NULL DEFAULT 0,
                    last_pull REAL,
                    media_type TEXT NOT NULL,
                    manifest_id INTEGER NOT NULL,
                    config_digest TEXT,
                    PRIMARY KEY (repository, digest)
                ) WITHOUT ROWID;
                """)
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT repository, digest, subject, is_index, built_at, pushed_at, download_count, last_pull, media_type,
                    manifest, config_digest FROM search_image
                """)
        while let row = try rows.next() {
            try db.execute(sql: "INSERT INTO search_manifest (bytes) VALUES (?)", arguments: [row["manifest"] as Data])
            try db.execute(
                sql: """
                    INSERT INTO search_image_v2 (repository, digest, subject, is_index, built_at, pushed_at, download_count,
                        last_pull, media_type, manifest_id, config_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    row["repository"], row["digest"], row["subject"], row["is_index"], row["built_at"], row["pushed_at"],
                    row["download_count"], row["last_pull"], row["media_type"], db.lastInsertedRowID, row["config_digest"],
                ])
        }
        try db.execute(
            sql: """
                DROP TABLE search_image;
                ALTER TABLE search_image_v2 RENAME TO search_image;
                CREATE INDEX search_image_by_digest ON search_image(digest);
                CREATE INDEX search_image_by_config ON search_image(config_digest) WHERE config_digest IS NOT NULL;
                CREATE INDEX search_image_by_subject ON search_image(repository, subject) WHERE subject IS NOT NULL;
                """)
    }
}
