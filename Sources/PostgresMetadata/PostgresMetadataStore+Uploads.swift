import PostgresNIO
import Storage

extension PostgresMetadataStore {
    public func createUpload(_ upload: UploadRecord) async throws {
        try await database.transaction { transaction in
            try await transaction.run(
                """
                INSERT INTO upload(id, repository, created_at, updated_at)
                VALUES (\(upload.id), \(upload.repository.value), \(upload.createdAt), \(upload.updatedAt))
                """)
        }
    }

    public func upload(id: String) async throws -> UploadRecord? {
        guard let row = try await database.run("SELECT repository, created_at, updated_at FROM upload WHERE id = \(id)").first
        else { return nil }
        let (repository, createdAt, updatedAt) = try row.decode((String, Double, Double).self)
        return UploadRecord(
            id: id, repository: try RepositoryName(parsing: repository), createdAt: createdAt, updatedAt: updatedAt)
    }

    public func touchUpload(id: String, at time: Double) async throws {
        try await database.transaction { transaction in
            try await transaction.run("UPDATE upload SET updated_at = \(time) WHERE id = \(id)")
        }
    }

    public func deleteUpload(id: String) async throws {
        try await database.transaction { transaction in
            try await transaction.run("DELETE FROM upload WHERE id = \(id)")
        }
    }
}
