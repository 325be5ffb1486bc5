import PostgresMetadata
import PostgresNIO

/// Verdicts in the PostgreSQL database replicas share: the SQLite table, in PostgreSQL's words.
struct PostgresSignatureVerdicts: SignatureVerdicts {
    let tables: PostgresTables

    init(database: SharedPostgresDatabase) {
        tables = PostgresTables(database, migrations: Self.migrations)
    }

    static let migrations = [
        PostgresMigration(
            "search.verdicts.v1",
            [
                """
                CREATE TABLE search_signature_verdict (
                    repository text COLLATE "C" NOT NULL,
                    signature text COLLATE "C" NOT NULL,
                    layer integer NOT NULL,
                    subject text COLLATE "C" NOT NULL,
                    tool text NOT NULL,
                    trusted boolean NOT NULL,
                    author text NOT NULL,
                    PRIMARY KEY (repository, signature, layer)
                )
                """,
                "CREATE INDEX search_signature_verdict_by_subject ON search_signature_verdict(repository, subject)",
            ]
        )
    ]

    func record(_ verdicts: [SignatureVerdict], for signature: SignatureReference) async throws {
        try await tables.ready().transaction { transaction in
            try await transaction.run(
                """
                DELETE FROM search_signature_verdict
                WHERE repository = \(signature.repository) AND signature = \(signature.signature)
                """)
            for verdict in verdicts {
                try await transaction.run(
                    """
                    INSERT INTO search_signature_verdict (repository, signature, layer, subject, tool, trusted, author)
                    VALUES (\(signature.repository), \(signature.signature), \(verdict.layer), \(signature.subject),
                        \(verdict.tool), \(verdict.trusted), \(verdict.author))
                    """)
            }
        }
    }

    func forget(signature: String, in repository: String) async throws {
        try await tables.ready().run(
            "DELETE FROM search_signature_verdict WHERE repository = \(repository) AND signature = \(signature)")
    }

    func signatures() async throws -> [SignatureReference] {
        try await tables.ready().run("SELECT DISTINCT repository, signature, subject FROM search_signature_verdict").map {
            let (repository, signature, subject) = try $0.decode((String, String, String).self)
            return SignatureReference(repository: repository, signature: signature, subject: subject)
        }
    }

    func trustedTools(of subject: String, in repository: String) async throws -> Set<String> {
        Set(
            try await tables.ready().run(
                """
                SELECT DISTINCT tool FROM search_signature_verdict
                WHERE repository = \(repository) AND subject = \(subject) AND trusted
                """
            ).map { try $0.decode(String.self) })
    }

    func verdicts(of subject: String, in repository: String) async throws -> [String: [Int: SignatureVerdict]] {
        var verdicts: [String: [Int: SignatureVerdict]] = [:]
        for row in try await tables.ready().run(
            """
            SELECT signature, layer, tool, trusted, author FROM search_signature_verdict
            WHERE repository = \(repository) AND subject = \(subject)
            """)
        {
            let (signature, layer, tool, trusted, author) = try row.decode((String, Int, String, Bool, String).self)
            verdicts[signature, default: [:]][layer] = SignatureVerdict(layer: layer, tool: tool, trusted: trusted, author: author)
        }
        return verdicts
    }
}
