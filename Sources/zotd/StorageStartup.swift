import Config
import Logging
import ObjectStorage
import Registry
import Storage

/// Opens the storage root for `zotd serve`: moves an older zotd's files into `_zotd/`, drops staging files
/// nothing can resume, and adopts the zot repositories found there, logging what it did.
enum StorageStartup {
    /// At most this many problems are logged one by one; the summary counts them all.
    static let problemsLogged = 1000

    static func open(root: String, durable: Bool, driver: StorageDriverConfig, logger: Logger) async throws
        -> (RegistryStore, AdoptionReport)
    {
        let moved = try RegistryStore.moveLegacyLayout(root: root)
        if !moved.isEmpty {
            logger.notice("moved zotd's own files into \(root)/_zotd, where no repository name can collide with them: \(moved.joined(separator: ", "))")
        }
        let store = try await Self.store(root: root, durable: durable, driver: driver)
        try await store.removeAbandonedMonolithicUploads()
        if case .s3(let s3) = driver {
            // A zot root's blob files are local; zotd's blobs are in the bucket, and it adopts none of them.
            logger.info("blobs in S3 bucket \(s3.bucket), uploads staged and metadata kept under \(root)/_zotd")
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

    /// The store `storage` describes, for every command that opens it: blobs on local disk or in the S3 bucket,
    /// uploads staged and metadata kept under the local root either way.
    static func store(root: String, durable: Bool, driver: StorageDriverConfig) async throws -> RegistryStore {
        switch driver {
        case .local:
            return try RegistryStore.local(root: root, durable: durable)
        case .s3(let s3):
            let layout = BlobLayout(root: root)
            let blobs = try await ObjectStorageStartup.blobStore(s3, staging: try LocalBlobStore(layout: layout))
            let metadata = try SQLiteMetadataStore(path: layout.databasePath, durable: durable)
            return RegistryStore(blobs: blobs, metadata: metadata, durable: durable)
        }
    }
}
