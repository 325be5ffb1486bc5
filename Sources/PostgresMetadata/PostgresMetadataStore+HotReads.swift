import NIOCore
import PostgresNIO
import Storage

/// The reads every pull makes, as prepared statements: each connection parses and plans them once, where a
/// plain query is parsed and planned on every request.
extension PostgresMetadataStore {
    struct ManifestByTag: RepositoryLookup {
        static let sql = """
            SELECT m.digest, m.media_type, m.content FROM tag t
            JOIN manifest m ON m.repository = t.repository AND m.digest = t.digest
            WHERE t.repository = $1 AND t.name = $2
            """
        typealias Row = (String, String, ByteBuffer)
        var repository: String
        /// The tag.
        var key: String

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    struct ManifestByDigest: RepositoryLookup {
        static let sql = "SELECT digest, media_type, content FROM manifest WHERE repository = $1 AND digest = $2"
        typealias Row = (String, String, ByteBuffer)
        var repository: String
        /// The manifest's digest.
        var key: String

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    struct LinkedBlobSize: RepositoryLookup {
        static let sql = """
            SELECT b.size FROM blob_link l JOIN blob b ON b.digest = l.digest
            WHERE l.repository = $1 AND l.digest = $2
            """
        typealias Row = Int64
        var repository: String
        /// The blob's digest.
        var key: String

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}

/// The shape of every hot read: one repository and one key in it (a tag or a digest), bound as `$1` and `$2`.
protocol RepositoryLookup: PostgresPreparedStatement {
    var repository: String { get }
    var key: String { get }
}

extension RepositoryLookup {
    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(repository)
        bindings.append(key)
        return bindings
    }
}
