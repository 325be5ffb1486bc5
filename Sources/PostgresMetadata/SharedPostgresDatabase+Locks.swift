import PostgresNIO
import Storage

extension SharedPostgresDatabase {
    /// Runs `body` holding the session advisory lock `name`, on a connection of the lock pool, waiting for it
    /// when another replica holds it. A replica that dies holding it loses its connection, and PostgreSQL
    /// releases the lock with it.
    public func withLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws
        -> T
    {
        try await withLockConnection(name, wait: true) { _ in try await body() }!
    }

    /// Runs `body` unless another replica runs work named `name` now, or began it less than nine tenths of
    /// `interval` ago (`zotd_background_pass`): replicas that each schedule a pass every `interval` run it
    /// about once per interval between them. A replica that dies in the middle gives the lock back with its
    /// connection, and the next one due runs the pass. nil when skipped.
    public func runOnce<T: Sendable>(
        _ name: String, every interval: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        let spacing = interval.inSeconds * 0.9
        return try await withLockConnection(name, wait: false) { [logger] connection in
            let now = Self.now
            let last = try await connection.query(
                "SELECT started_at FROM zotd_background_pass WHERE name = \(name)", logger: logger
            ).collect().first?.decode(Double.self)
            if let last, now - last < spacing { return nil }
            try await connection.query(
                """
                INSERT INTO zotd_background_pass (name, started_at) VALUES (\(name), \(now))
                ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at
                """, logger: logger)
            return try await body()
        }
    }

    /// `body` on a lock connection holding `name`'s advisory lock; nil when `wait` is false and another
    /// session holds it.
    private func withLockConnection<T: Sendable>(
        _ name: String, wait: Bool, _ body: @escaping @Sendable (PostgresConnection) async throws -> T?
    ) async throws -> T? {
        let outcome: Result<T?, any Error>
        do {
            outcome = try await withConnection(on: locks) { [logger] connection in
                if wait {
                    try await connection.query("SELECT pg_advisory_lock(hashtextextended(\(name), 0))", logger: logger)
                } else {
                    let taken = try await connection.query(
                        "SELECT pg_try_advisory_lock(hashtextextended(\(name), 0))", logger: logger
                    ).collect().first?.decode(Bool.self)
                    guard taken == true else { return .success(nil) }
                }
                let outcome: Result<T?, any Error>
                do { outcome = .success(try await body(connection)) } catch { outcome = .failure(error) }
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
