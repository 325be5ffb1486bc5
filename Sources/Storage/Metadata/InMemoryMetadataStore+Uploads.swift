extension InMemoryMetadataStore {
    /// A taken id fails with `StorageError.io`, as the SQLite store's primary key makes it fail.
    public func createUpload(_ upload: UploadRecord) async throws {
        try tables.withLock { tables throws(StorageError) in
            guard tables.uploads[upload.id] == nil else { throw .io("metadata write failed: upload \(upload.id) exists") }
            tables.uploads[upload.id] = upload
        }
    }

    public func upload(id: String) throws -> UploadRecord? {
        tables.withLock { $0.uploads[id] }
    }

    /// An unknown id changes nothing and is no error (an `UPDATE` matching no row).
    public func touchUpload(id: String, at time: Double) async throws {
        tables.withLock { $0.uploads[id]?.updatedAt = time }
    }

    public func deleteUpload(id: String) async throws {
        tables.withLock { $0.uploads[id] = nil }
    }
}
