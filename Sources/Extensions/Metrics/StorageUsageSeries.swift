import Registry
import Storage
import Synchronization

/// `zot_repo_storage_bytes{repo}`: recomputed at scrape time for the repositories whose content changed
/// since the previous scrape, not on the push itself, so a push pays nothing for it and a burst of pushes
/// to one repository costs one query.
final class StorageUsageSeries: Sendable {
    private let changed = Mutex(Set<String>())
    private let repositories: RepositorySeries

    init(repositories: RepositorySeries) {
        self.repositories = repositories
    }

    /// `repository` gained or lost a manifest.
    func markChanged(_ repository: String) {
        _ = changed.withLock { $0.insert(repository) }
    }

    /// Sets the gauge of every repository changed since the last refresh, asking `store` for its bytes.
    func refresh(from store: RegistryStore) async {
        let due = changed.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for name in due {
            guard let repository = try? RepositoryName(parsing: name) else { continue }
            guard let bytes = try? await store.storageBytes(in: repository) else {
                markChanged(name)  // try again at the next scrape
                continue
            }
            repositories.setStorageBytes(repository: name, bytes: bytes)
        }
    }
}
