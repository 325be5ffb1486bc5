import Foundation
import GRDB

/// The metadata store in one SQLite file (WAL mode) under the storage root, through GRDB.
///
/// Writers are serialised by SQLite itself, one short transaction each; readers never
/// wait for writers. Hot read paths use cached statements through the synchronous API.
public final class SQLiteMetadataStore: MetadataStore {
    let pool: DatabasePool

    /// Opens (creating and migrating when needed) the database at `path`.
    /// - Parameter durable: `synchronous=FULL` so that a commit survives a power cut.
    public init(path: String, durable: Bool) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.maximumReaderCount = 8
        pool = try DatabasePool(path: path, configuration: configuration)
        try MetadataSchema.migrator.migrate(pool)
        // GRDB sets synchronous=NORMAL on the writer after prepareDatabase; set FULL afterwards.
        if durable {
            // A pragma that changes the safety level may not run inside a transaction.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
    }

    /// Runs a synchronous read, mapping database failures to `StorageError.io`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError.io("metadata read failed: \(error)")
        }
    }

    /// Runs a read of one SQL statement without the transaction `read` wraps around it: SQLite runs each
    /// statement against one snapshot anyway, and on the hottest lookups BEGIN and COMMIT cost as much as
    /// the query. Never for a read of several statements that must agree with each other.
    func readStatement<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.unsafeRead(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError.io("metadata read failed: \(error)")
        }
    }

    /// Runs a write transaction; a `StorageError` thrown inside rolls it back and passes through.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError.io("metadata write failed: \(error)")
        }
    }

    static var now: Double { Date().timeIntervalSince1970 }
}
