import Foundation
import Logging
import PostgresNIO
import Storage
import Synchronization

/// One PostgreSQL database as the replicas share it: its connections, its transactions and its schema.
/// The metadata store keeps its tables in it, and so do the modules with state of their own (Auth's API keys
/// and sessions, search's stars, bookmarks and signature verdicts), each with migrations of its own.
///
/// Every write is one `SERIALIZABLE` transaction: two replicas pushing one tag, or a push racing a collection
/// on another replica, end as if one ran after the other. PostgreSQL aborts the loser of a conflict with a
/// serialization failure rather than blocking it, and the transaction is run again (`attempts`), as
/// PostgreSQL's manual asks of its clients. Reads are single statements, each against one snapshot.
public final class SharedPostgresDatabase: Sendable {
    /// Connections for statements and transactions.
    let client: PostgresClient
    /// Connections that hold a named lock for as long as its body runs (`withLock`): a pool of their own, so
    /// that bodies holding locks never starve the statements they run themselves.
    let locks: PostgresClient
    let logger: Logger
    /// `host:port/database`, for the log: the URL without its password.
    public let location: String
    /// `run()` of both clients, which own the connections: cancelled when the database goes.
    private let running: Task<Void, Never>

    /// How often a transaction aborted by a conflict is run again before the caller gets the failure.
    static let attempts = 10
    /// How long a request waits for a connection before it is answered 503. postgres-nio keeps a request
    /// waiting while it retries connecting, for ever: without this, a push would hang for as long as the
    /// database is down.
    let connectionWait: Duration

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=...`). A replica opens up to
    /// `maximumConnections` for statements and as many for locks, only as they are needed.
    public init(url: String, maximumConnections: Int, connectionWait: Duration, logger: Logger) throws {
        let url = try PostgresConnectionURL(url)
        let configuration = try url.configuration(maximumConnections: maximumConnections)
        // The pool logs every failed connection attempt (several a second while the database is down) and a
        // warning when the first request races `run()`: the 503s say what a client needs, at warning level.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        let locks = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.locks = locks
        location = "\(url.host):\(url.port)/\(url.database ?? url.username)"
        self.connectionWait = connectionWait
        self.logger = logger
        running = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await client.run() }
                group.addTask { await locks.run() }
            }
        }
    }

    deinit { running.cancel() }

    /// One statement outside a transaction.
    @discardableResult
    public func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await withConnection(on: client) { [logger] connection in
                try await connection.query(query, logger: logger).collect()
            }
        } catch {
            throw Self.storageError(error)
        }
    }

    /// One prepared statement's rows, on a connection of the statement pool: each connection parses and plans
    /// it once, where a plain query is parsed and planned on every call.
    public func execute<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        do {
            return try await withConnection(on: client) { [logger] connection in
                var rows: [Statement.Row] = []
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                return rows
            }
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Runs `body` in one serializable transaction, again when PostgreSQL aborts it for a conflict with
    /// another (up to `attempts`, after a random pause that doubles each time, so that losers spread out).
    ///
    /// With `queue`, writers naming the same key take turns (a session advisory lock taken before `BEGIN`, so
    /// that each one's snapshot is taken after the previous one committed) instead of aborting each other:
    /// 32 pushes of one tag at once, all retrying, ran out of attempts; queued, each commits at the first try.
    @discardableResult
    public func transaction<T: Sendable>(
        isolation: String = "SERIALIZABLE", queue: String? = nil,
        _ body: @escaping @Sendable (Transaction) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withConnection(on: client) { [logger] connection in
                    if let queue {
                        try await connection.query("SELECT pg_advisory_lock(hashtextextended(\(queue), 0))", logger: logger)
                    }
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation)"), logger: logger)
                        let result: T
                        do {
                            result = try await body(Transaction(connection: connection, logger: logger))
                            try await connection.query("COMMIT", logger: logger)
                        } catch {
                            // A broken connection rolls back by itself; the pool drops it.
                            _ = try? await connection.query("ROLLBACK", logger: logger)
                            throw error
                        }
                        if let queue {
                            try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(queue), 0))", logger: logger)
                        }
                        return result
                    } catch {
                        if let queue {
                            _ = try? await connection.query(
                                "SELECT pg_advisory_unlock(hashtextextended(\(queue), 0))", logger: logger)
                        }
                        throw error
                    }
                }
            } catch let error where Self.isConflict(error) && attempt < Self.attempts {
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(1 << min(attempt + 1, 8)))))
                attempt += 1
            } catch let error as StorageError {
                throw error
            } catch {
                throw Self.storageError(error)
            }
        }
    }

    /// The statements of one transaction.
    public struct Transaction: Sendable {
        let connection: PostgresConnection
        let logger: Logger

        @discardableResult
        public func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
            try await connection.query(query, logger: logger).collect()
        }
    }

    /// `pool.withConnection`, given up with `unavailable` when no connection comes within `connectionWait`.
    /// Only the wait is bounded: once `body` runs, it runs to its end.
    func withConnection<T: Sendable>(
        on pool: PostgresClient, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let leased = LeaseFlag()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await pool.withConnection { connection in
                    leased.set()
                    return try await body(connection)
                }
            }
            group.addTask { [connectionWait, location] in
                try await Task.sleep(for: connectionWait)
                guard leased.isSet else {
                    throw StorageError.unavailable("no connection to the metadata database at \(location) within \(connectionWait)")
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    public static var now: Double { Date().timeIntervalSince1970 }
}

extension SharedPostgresDatabase {
    /// SQLSTATEs after which the whole transaction may simply run again: serialization failure, deadlock, and
    /// a foreign key whose row a concurrent collection removed between our read and our write.
    static let conflictStates: Set<String> = ["40001", "40P01", "23503"]

    static func isConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return conflictStates.contains(state)
    }

    /// A failure of the server or of the way to it is `unavailable` (503, try again); anything the server
    /// refused for a reason of its own is an I/O error.
    public static func storageError(_ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        guard let error = error as? PSQLError else { return .io("metadata database: \(error)") }
        guard let state = error.serverInfo?[.sqlState] else {
            return .unavailable("metadata database unreachable: \(error.code)")
        }
        // Class 08: connection exception; 53: insufficient resources; 57P: the server shutting down.
        if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") {
            return .unavailable("metadata database unavailable: SQLSTATE \(state)")
        }
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        return .io("metadata database refused a statement: SQLSTATE \(state): \(message)")
    }
}

/// Whether a connection was handed over: set by the request, read by its timer.
private final class LeaseFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
