import Testing

@testable import Storage

/// Upload sessions, which outlive a restart so that clients can resume.
extension MetadataStoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func createdUploadIsReadBack(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let upload = UploadRecord(id: "u1", repository: repo("a/b"), createdAt: 100, updatedAt: 150)
        try await opened.metadata.createUpload(upload)
        #expect(try await opened.metadata.upload(id: "u1") == upload)
        #expect(try await opened.metadata.upload(id: "u2") == nil)
    }

    @Test(arguments: Backend.allCases)
    func touchUploadMovesOnlyItsUpdateTime(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.createUpload(UploadRecord(id: "u1", repository: repo("a"), createdAt: 100, updatedAt: 100))
        try await opened.metadata.createUpload(UploadRecord(id: "u2", repository: repo("a"), createdAt: 100, updatedAt: 100))
        try await opened.metadata.touchUpload(id: "u1", at: 500)
        #expect(try await opened.metadata.upload(id: "u1") == UploadRecord(id: "u1", repository: repo("a"), createdAt: 100, updatedAt: 500))
        #expect(try await opened.metadata.upload(id: "u2")?.updatedAt == 100)
    }

    @Test(arguments: Backend.allCases)
    func deleteUploadForgetsOnlyThatUpload(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.createUpload(UploadRecord(id: "u1", repository: repo("a"), createdAt: 1, updatedAt: 1))
        try await opened.metadata.createUpload(UploadRecord(id: "u2", repository: repo("a"), createdAt: 1, updatedAt: 1))
        try await opened.metadata.deleteUpload(id: "u1")
        #expect(try await opened.metadata.upload(id: "u1") == nil)
        #expect(try await opened.metadata.upload(id: "u2") != nil)
    }

    /// A request racing GC's removal of its upload may touch or delete it afterwards: no error, nothing created.
    @Test(arguments: Backend.allCases)
    func touchingOrDeletingAnUnknownUploadChangesNothing(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await opened.metadata.touchUpload(id: "gone", at: 500)
        try await opened.metadata.deleteUpload(id: "gone")
        #expect(try await opened.metadata.upload(id: "gone") == nil)
    }

    /// Ids are unique: a second session under a taken id fails and leaves the first as it was.
    @Test(arguments: Backend.allCases)
    func creatingAnUploadUnderATakenIdFails(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let first = UploadRecord(id: "u1", repository: repo("a"), createdAt: 1, updatedAt: 1)
        try await opened.metadata.createUpload(first)
        let error = await #expect(throws: StorageError.self) {
            try await opened.metadata.createUpload(UploadRecord(id: "u1", repository: repo("b"), createdAt: 2, updatedAt: 2))
        }
        #expect(error?.isIO == true)
        #expect(try await opened.metadata.upload(id: "u1") == first)
    }
}
