import Logging
import Registry
import Storage

/// Opens the storage root for `zotd serve`: moves an older zotd's files into `_zotd/`, drops staging files
/// nothing can resume, and adopts the zot repositories found there, logging what it did.
enum StorageStartup {
    /// At most this many problems are logged one by one; the summary counts them all.
    static let problemsLogged = 1000

    static func open(root: String, durable: Bool, logger: Logger) async throws -> (RegistryStore, AdoptionReport) {
        let moved = try RegistryStore.moveLegacyLayout(root: root)
        if !moved.isEmpty {
            logger.notice("moved zotd's own files into \(root)/_zotd, where no repository name can collide with them: \(moved.joined(separator: ", "))")
        }
        let store = try RegistryStore.local(root: root, durable: durable)
        try await store.removeAbandonedMonolithicUploads()
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
}
