import Foundation
import PostgresNIO
import Storage

/// The PostgreSQL server `scripts/pg-test-store.sh` prints as `PG_URL`: each test gets a database of its own,
/// left for the script's `stop` to remove with the whole server.
public enum PostgresTestServer {
    public static var url: String? { ProcessInfo.processInfo.environment["PG_URL"] }

    /// Connections to `PG_URL` itself, for `CREATE DATABASE`, for the test process's lifetime.
    private static let administration: PostgresClient? = {
        guard let url, let components = URLComponents(string: url), let host = components.host else { return nil }
        let client = PostgresClient(
            configuration: .init(
                host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
                password: components.password, database: String(components.path.dropFirst()), tls: .disable))
        Task { await client.run() }
        return client
    }()

    /// The URL of a new, empty database.
    public static func freshDatabase() async throws -> String {
        guard let administration, let url, var components = URLComponents(string: url) else {
            throw StorageError.io("PG_URL is not set")
        }
        let name = "zotd_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await administration.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        components.path = "/" + name
        return components.string ?? url
    }
}
