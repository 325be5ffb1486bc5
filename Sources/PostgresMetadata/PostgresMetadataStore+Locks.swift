import PostgresNIO
import Storage

extension PostgresMetadataStore: SharedMetadata {
    /// A session advisory lock on a connection of the lock pool, held while `body` runs. A replica that dies
    /// holding it loses its connection, and PostgreSQL releases the lock with it.
    public func withLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws
        -> T
    {
        let outcome: Result<T, any Error>
        do {
            outcome = try await withConnection(on: locks) { [logger] connection in
                try await connection.query("SELECT pg_advisory_lock(hashtextextended(\(name), 0))", logger: logger)
                let outcome: Result<T, any Error>
                do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
                do {
                    try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(name), 0))", logger: logger)
                } catch {
                    // A lock that could not be given back must not stay behind on a pooled connection: closing
                    // the connection releases it, and the pool opens another.
                    try? await connection.close()
                }
                return outcome
            }
        } catch {
            throw Self.storageError(error)
        }
        return try outcome.get()
    }
}
