import GRDB

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

/// Verdicts on signatures, kept beside the index because search shows them (`SignatureInfo`), written by the
/// trust extension (which also reads them to enforce its pull policies).
package struct SignatureVerdicts: Sendable {
    let database: SearchDatabase

    /// Opens (creating and migrating when needed) search's tables in `<rootDirectory>/_zotd/zotd-search.db`.
    package init(rootDirectory: String) throws {
        database = try SearchDatabase(path: SearchDatabase.path(rootDirectory: rootDirectory))
    }

    init(database: SearchDatabase) {
        self.database = database
    }

    /// Replaces what was concluded of `signature`.
    package func record(_ verdicts: [SignatureVerdict], for signature: SignatureReference) throws {
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

    /// Forgets a signature manifest (deleted from storage).
    package func forget(signature: String, in repository: String) throws {
        try database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM search_signature_verdict WHERE repository = ? AND signature = ?",
                arguments: [repository, signature])
        }
    }

    /// Every signature a verdict was recorded for, to check again when trust material changes.
    package func signatures() throws -> [SignatureReference] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT repository, signature, subject FROM search_signature_verdict").map {
                SignatureReference(repository: $0["repository"], signature: $0["signature"], subject: $0["subject"])
            }
        }
    }

    /// The tools that signed `subject` in `repository` with a trusted signature.
    package func trustedTools(of subject: String, in repository: String) throws -> Set<String> {
        try database.pool.read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: "SELECT DISTINCT tool FROM search_signature_verdict WHERE repository = ? AND subject = ? AND trusted = 1",
                    arguments: [repository, subject]))
        }
    }
}

extension SignatureVerdicts {
    /// Verdicts on the signatures of `subject`, by signature digest and layer, in a read already open.
    static func verdicts(of subject: String, in repository: String, _ db: Database) throws -> [String: [Int: SignatureVerdict]] {
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
