import Foundation
import NIOSSL
import PostgresNIO
import Storage

/// A libpq-style connection URL, `postgres://user:password@host:port/database?sslmode=mode`, read into
/// postgres-nio's configuration. `sslmode` takes libpq's values: `disable`; `prefer` (the default) and
/// `require`, which encrypt without checking the certificate; `verify-ca` and `verify-full`, which check it.
struct PostgresConnectionURL: Sendable, Equatable {
    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var sslMode: String

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty
        else {
            throw StorageError.io("the metadata database URL is not postgres://user@host:port/database")
        }
        self.host = host
        port = components.port ?? 5432
        username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path.removingPercentEncoding
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard Self.sslModes.contains(sslMode) else {
            throw StorageError.io("sslmode \(sslMode) is not one of \(Self.sslModes.sorted().joined(separator: ", "))")
        }
    }

    static let sslModes: Set<String> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    func configuration(maximumConnections: Int) throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: try tls())
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        var unchecked = TLSConfiguration.makeClientConfiguration()
        unchecked.certificateVerification = .none
        switch sslMode {
        case "disable": return .disable
        case "allow", "prefer": return .prefer(unchecked)
        case "require": return .require(unchecked)
        default: return .require(.makeClientConfiguration())
        }
    }
}
