import GRDB

extension SQLiteMetadataStore {
    public func createUpload(_ upload: UploadRecord) async throws {
        try await write { db in
            try db.cachedStatement(sql: "INSERT INTO upload(id, repository, created_at, updated_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [upload.id, upload.repository.value, upload.createdAt, upload.updatedAt])
        }
    }

    public func upload(id: String) throws -> UploadRecord? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT repository, created_at, updated_at FROM upload WHERE id = ?"),
                    arguments: [id]
                )
            else { return nil }
            return UploadRecord(
                id: id,
                repository: try RepositoryName(parsing: row[0] as String),
                createdAt: row[1],
                updatedAt: row[2]
            )
        }
    }

    public func touchUpload(id: String, at time: Double) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE upload SET updated_at = ? WHERE id = ?").execute(arguments: [time, id])
        }
    }

    public func deleteUpload(id: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM upload WHERE id = ?").execute(arguments: [id])
        }
    }
}
