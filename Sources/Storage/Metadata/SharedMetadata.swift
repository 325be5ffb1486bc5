/// A metadata store that several zotd processes share (replicas over one database): what must hold across
/// all of them beyond one transaction.
public protocol SharedMetadata: Sendable {
    /// Runs `body` while no other process sharing this store runs a body under the same `name`, waiting its
    /// turn. A blob's commit and its collection both take the blob's lock (`RegistryStore.withDigestLock`), so
    /// that a collection on one replica cannot delete the bytes another replica has just stored again.
    func withLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T

    /// Runs `body` unless another process runs work named `name` now or began it lately, so that a background
    /// pass every replica schedules every `interval` (collection, scrub, sync) runs about once per interval
    /// between them, and still runs when the replica that last ran it has died. nil when skipped.
    func runOnce<T: Sendable>(_ name: String, every interval: Duration, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T?
}
