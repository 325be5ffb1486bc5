import Config
import Logging
import ObjectStorage
import PostgresMetadata
import Registry
import Storage

/// Opens the storage root for `zotd serve`: moves an older zotd's files into `_zotd/`, drops staging files
/// nothing can resume, and adopts the zot repositories found there, logging what it did.
enum StorageStartup {
    /// At most this many problems are logged one by one; the summary counts them all.
    static let problemsLogged = 1000

    static func open(root: String, durable: Bool, storage: StorageConfig, logger: Logger) async throws
        -> (RegistryStore, AdoptionReport)
    {
        let moved = try RegistryStore.moveLegacyLayout(root: root)
        if !moved.isEmpty {
            logger.notice("moved zotd's own files into \(root)/_zotd, where no repository name can collide with them: \(moved.joined(separator: ", "))")
        }
        let store = try await Self.store(root: root, durable: durable, storage: storage, logger: logger)
        try await store.removeAbandonedMonolithicUploads()
        if case .s3(let s3) = storage.driver {
            // A zot root's blob files are local; zotd's blobs are in the bucket, and it adopts none of them.
            logger.info("blobs in S3 bucket \(s3.bucket), uploads staged under \(root)/_zotd")
            return (store, AdoptionReport())
        }
        let report = try await store.adoptZotRepositories(in: root) { progress in
            logger.info("adopting zot repositories: \(progress.repositoriesChecked) of \(progress.repositoriesFound) checked, \(progress.repositoriesAdopted) adopted, \(progress.blobsVerified) blob files verified")
        }
        for problem in report.problems.prefix(problemsLogged) {
            logger.error("zot storage not adopted: \(problem)")
        }
        if report.repositoriesFound > 0 || !report.problems.isEmpty {
            logger.info("\(report.summary)")
        }
        return (store, report)
    }

    /// The store `storage` names: blobs on local disk or in S3 (uploads staged on local disk either way),
    /// metadata in SQLite under the root or in PostgreSQL.
    static func store(root: String, durable: Bool, storage: StorageConfig, logger: Logger) async throws -> RegistryStore {
        let layout = BlobLayout(root: root)
        _ = try RegistryStore.moveLegacyLayout(root: root)
        let local = try LocalBlobStore(layout: layout)
        let blobs: any BlobStore
        switch storage.driver {
        case .local:
            blobs = local
        case .s3(let s3):
            blobs = try await ObjectStorageStartup.blobStore(s3, staging: local)
        }
        let metadata: any MetadataStore
        switch storage.metadataDriver {
        case .embedded:
            metadata = try SQLiteMetadataStore(path: layout.databasePath, durable: durable)
        case .postgresql(let url):
            let shared = try await PostgresMetadataStore.connect(url: url, logger: logger)
            logger.info("metadata in PostgreSQL at \(shared.location), shared with every replica that names it")
            metadata = shared
        }
        return RegistryStore(blobs: blobs, metadata: metadata, durable: durable)
    }
}
