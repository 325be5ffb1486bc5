import GRDB
import PostgresMetadata
import Storage

/// What the trust extension concluded of one signature layer: cosign signs once per layer of its signature
/// manifest, notation once per manifest (layer 0).
package struct SignatureVerdict: Sendable, Equatable {
    package var layer: Int
    package var tool: String
    package var trusted: Bool
    /// Who signed, as zot names them (cosign: the public key's PEM; notation: the leaf certificate's subject);
    /// empty unless trusted.
    package var author: String

    package init(layer: Int, tool: String, trusted: Bool, author: String) {
        self.layer = layer
        self.tool = tool
        self.trusted = trusted
        self.author = trusted ? author : ""
    }
}

/// One signature manifest and the manifest it signs.
package struct SignatureReference: Sendable, Hashable {
    package var repository: String
    package var signature: String
    package var subject: String

    package init(repository: String, signature: String, subject: String) {
        self.repository = repository
        self.signature = signature
        self.subject = subject
    }
}

/// Verdicts on signatures, written by the trust extension (which reads them to enforce its pull policies) and
/// shown by search (`SignatureInfo`). Beside the index in SQLite, or in the PostgreSQL database replicas share
/// (`PostgresSignatureVerdicts`), so that a signature verified by the replica it was pushed through lets the
/// image through the pull policies of every replica.
package protocol SignatureVerdicts: Sendable {
    /// Replaces what was concluded of `signature`.
    func record(_ verdicts: [SignatureVerdict], for signature: SignatureReference) async throws
    /// Forgets a signature manifest (deleted from storage).
    func forget(signature: String, in repository: String) async throws
    /// Every signature a verdict was recorded for, to check again when trust material changes.
    func signatures() async throws -> [SignatureReference]
    /// The tools that signed `subject` in `repository` with a trusted signature.
    func trustedTools(of subject: String, in repository: String) async throws -> Set<String>
    /// Verdicts on the signatures of `subject`, by signature digest and layer.
    func verdicts(of subject: String, in repository: String) async throws -> [String: [Int: SignatureVerdict]]
}

/// Opens the verdicts beside the metadata: in PostgreSQL when `shared` metadata lives there, else in
/// search's SQLite file under `rootDirectory` (created and migrated when needed).
package func openSignatureVerdicts(rootDirectory: String, shared: (any SharedMetadata)?) throws -> any SignatureVerdicts {
    try openSignatureVerdicts(shared: shared) { try SearchDatabase(path: SearchDatabase.path(rootDirectory: rootDirectory)) }
}

func openSignatureVerdicts(shared: (any SharedMetadata)?, sqlite: () throws -> SearchDatabase) rethrows
    -> any SignatureVerdicts
{
    if let postgres = shared as? PostgresMetadataStore { return PostgresSignatureVerdicts(database: postgres.database) }
    return SQLiteSignatureVerdicts(database: try sqlite())
}

/// Verdicts in search's SQLite file.
struct SQLiteSignatureVerdicts: SignatureVerdicts {
    let database: SearchDatabase

    func record(_ verdicts: [SignatureVerdict], for signature: SignatureReference) throws {
        try database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM search_signature_verdict WHERE repository = ? AND signature = ?",
                arguments: [signature.repository, signature.signature])
            for verdict in verdicts {
                try db.execute(
                    sql: """
                        INSERT INTO search_signature_verdict (repository, signature, layer, subject, tool, trusted, author)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        signature.repository, signature.signature, verdict.layer, signature.subject, verdict.tool,
                        verdict.trusted, verdict.author,
                    ])
            }
        }
    }

    func forget(signature: String, in repository: String) throws {
        try database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM search_signature_verdict WHERE repository = ? AND signature = ?",
                arguments: [repository, signature])
        }
    }

    func signatures() throws -> [SignatureReference] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT repository, signature, subject FROM search_signature_verdict").map {
                SignatureReference(repository: $0["repository"], signature: $0["signature"], subject: $0["subject"])
            }
        }
    }

    func trustedTools(of subject: String, in repository: String) throws -> Set<String> {
        try database.pool.read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: "SELECT DISTINCT tool FROM search_signature_verdict WHERE repository = ? AND subject = ? AND trusted = 1",
                    arguments: [repository, subject]))
        }
    }

    func verdicts(of subject: String, in repository: String) throws -> [String: [Int: SignatureVerdict]] {
        try database.pool.read { db in
            var verdicts: [String: [Int: SignatureVerdict]] = [:]
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT signature, layer, tool, trusted, author FROM search_signature_verdict WHERE repository = ? AND subject = ?"),
                arguments: [repository, subject])
            for row in rows {
                let verdict = SignatureVerdict(layer: row["layer"], tool: row["tool"], trusted: row["trusted"], author: row["author"])
                verdicts[row["signature"], default: [:]][verdict.layer] = verdict
            }
            return verdicts
        }
    }
}
