import Foundation
import NIOCore

extension RegistryStore {
    /// Opens a resumable upload session in `repository` and returns its id.
    /// - Parameters:
    ///   - owner: whom the session counts against (a user, an address).
    ///   - limit: how many open sessions `owner` may hold; beyond, `tooManyUploadSessions`. Nil: no limit.
    public func startUpload(in repository: RepositoryName, owner: String? = nil, limit: Int? = nil) async throws
        -> String
    {
        try await sessions.open(owner: owner, limit: limit) {
            let id = UUID().uuidString.lowercased()
            let now = Self.now
            try await metadata.createUpload(UploadRecord(id: id, repository: repository, createdAt: now, updatedAt: now))
            return id
        }
    }

    /// Open sessions `owner` holds (see `startUpload`).
    public func openUploadCount(for owner: String) -> Int {
        sessions.openCount(for: owner)
    }

    /// How long a status request waits for a request that holds the upload to finish.
    static let busyUploadWait: Duration = .seconds(5)

    /// Bytes received so far by upload `id`: where the next chunk must start, once a request still holding the
    /// upload has given it back (see `UploadSessions.settledOffset`).
    public func uploadOffset(_ id: String, in repository: RepositoryName) async throws -> Int64 {
        try await requireUpload(id, in: repository)
        // With shared metadata another replica may have appended since: the staged file says where it stands.
        if !(metadata is any SharedMetadata),
            let offset = await sessions.settledOffset(of: id, waitingAtMost: Self.busyUploadWait)
        {
            return offset
        }
        return try await blobs.stagedSize(ofUpload: id) ?? 0
    }

    /// Appends a chunk. With `start`, the chunk must begin exactly where the upload stands.
    /// - Returns: the new offset.
    @discardableResult
    public func appendToUpload<Body: AsyncSequence>(
        _ id: String,
        in repository: RepositoryName,
        body: Body,
        start: Int64? = nil,
        declaredLength: Int64? = nil
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        try await requireUpload(id, in: repository)
        let (appended, offset) = try await holdingUpload(id) { hold in
            if let start, start != hold.progress.offset {
                throw StorageError.uploadRangeInvalid(expectedOffset: hold.progress.offset, detail: "chunk starts at \(start)")
            }
            return try await withStagingWriter(id, from: hold.progress, bodyLength: declaredLength) { writer in
                // Whatever arrived before a failure stays staged and counted: the client resumes from there.
                defer { hold.progress = writer.progress }
                return (try await writer.append(body), writer.progress.offset)
            }
        }
        if let declaredLength, appended != declaredLength {
            throw StorageError.uploadInvalid("received \(appended) bytes, Content-Length said \(declaredLength)")
        }
        try await metadata.touchUpload(id: id, at: Self.now)
        return offset
    }

    /// Verifies the staged bytes against `digest` and, when they match, makes them the blob.
    /// A mismatch discards the upload: nothing is stored.
    /// - Returns: the blob's size.
    public func completeUpload(_ id: String, in repository: RepositoryName, digest: Digest) async throws -> Int64 {
        try await requireUpload(id, in: repository)
        return try await holdingUpload(id) { hold in
            let actual = try await digestOfStaged(id, progress: hold.progress, algorithm: digest.algorithm)
            guard actual == digest else {
                try await discardUpload(id)
                hold.end()
                throw StorageError.digestMismatch(expected: digest, actual: actual)
            }
            if hold.progress.offset == 0 {
                // An upload that never received a byte has no staging file yet: the empty blob needs one.
                try await blobs.openUpload(id).close()
            }
            try await commitStaged(id, as: digest, size: hold.progress.offset, to: repository)
            try await metadata.deleteUpload(id: id)
            hold.end()
            return hold.progress.offset
        }
    }

    /// Abandons upload `id` and its staged bytes.
    public func cancelUpload(_ id: String, in repository: RepositoryName) async throws {
        try await requireUpload(id, in: repository)
        try await holdingUpload(id) { hold in
            try await discardUpload(id)
            hold.end()
        }
    }

    /// A whole blob in one request (monolithic push): staged, verified, then made visible.
    /// Nothing is left behind when the body is short or the digest is wrong.
    public func storeBlob<Body: AsyncSequence>(
        _ digest: Digest,
        in repository: RepositoryName,
        body: Body,
        declaredLength: Int64?
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        try await stageAndCommit(Self.sessionlessUploadID(), as: digest, in: repository, body: body,
            declaredLength: declaredLength)
    }

    /// Stages `body` under `id`, checks its length and digest, and makes it the blob; on any failure the
    /// staged bytes go. `onProgress` hears the staged length after each write.
    func stageAndCommit<Body: AsyncSequence>(
        _ id: String, as digest: Digest, in repository: RepositoryName, body: Body, declaredLength: Int64?,
        onProgress: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        do {
            let start = UploadSessions.Progress(offset: 0, hasher: ContentHasher(digest.algorithm))
            let (size, actual) = try await withStagingWriter(id, from: start, bodyLength: declaredLength) { writer in
                writer.onProgress = onProgress
                return (try await writer.append(body), writer.progress.hasher.finalize())
            }
            if let declaredLength, size != declaredLength {
                throw StorageError.uploadInvalid("received \(size) bytes, Content-Length said \(declaredLength)")
            }
            guard actual == digest else { throw StorageError.digestMismatch(expected: digest, actual: actual) }
            try await commitStaged(id, as: digest, size: size, to: repository)
            return size
        } catch {
            try? await blobs.deleteUpload(id)
            throw error
        }
    }

    /// A staging file that belongs to no upload session (a one-request push, an adopted file): its `m-` prefix
    /// tells `removeAbandonedMonolithicUploads` that nothing can resume it.
    static func sessionlessUploadID() -> String { sessionlessPrefix + UUID().uuidString.lowercased() }

    private static let sessionlessPrefix = "m-"

    /// Staging files of one-request uploads cannot be resumed: a crash leaves them orphaned.
    public func removeAbandonedMonolithicUploads() async throws {
        for id in try await blobs.stagedUploadIDs() where id.hasPrefix(Self.sessionlessPrefix) {
            try await blobs.deleteUpload(id)
        }
    }

    // MARK: - Internals

    private func requireUpload(_ id: String, in repository: RepositoryName) async throws {
        guard Self.isWellFormedUploadID(id), let record = try await metadata.upload(id: id), record.repository == repository
        else {
            throw StorageError.uploadUnknown(id)
        }
    }

    /// Upload ids become file names: only the UUIDs we hand out are accepted.
    static func isWellFormedUploadID(_ id: String) -> Bool {
        id.utf8.count == 36 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2D }
    }

    /// Runs `body` holding upload `id`, its progress rebuilt from the staged file after a restart, or, with
    /// shared metadata, when the staged file has grown since this replica last held it: a chunked upload
    /// continues on any replica that shares the staging directory, at the cost of hashing again what the
    /// others appended.
    private func holdingUpload<T>(_ id: String, _ body: (inout UploadSessions.Hold) async throws -> T) async throws -> T {
        try await sessions.withUpload(
            id, rebuild: { try await stagedProgress(id) },
            isCurrent: { progress in
                guard metadata is any SharedMetadata else { return true }
                return try await blobs.stagedSize(ofUpload: id) ?? 0 == progress.offset
            }, body)
    }

    private func stagedProgress(_ id: String) async throws -> UploadSessions.Progress {
        var progress = UploadSessions.Progress.empty
        try await blobs.readUpload(id) { chunk in
            progress.hasher.update(chunk)
            progress.offset += Int64(chunk.readableBytes)
        }
        return progress
    }

    /// Runs `body` with a writer over upload `id`'s staging file, closed here whatever `body` does, and
    /// buffers sized for a body of `bodyLength` bytes (nil: unknown); a body given large ones also gets a
    /// hashing thread of its own while one is free.
    private func withStagingWriter<T>(
        _ id: String, from progress: UploadSessions.Progress, bodyLength: Int64?,
        _ body: (inout StagingWriter) async throws -> T
    ) async throws -> T {
        try await stagingBufferSizes.withBufferSize(forBodyOf: bodyLength) { bufferSize in
            try await HashingThreads.shared.withThread(if: bufferSize == StagingBufferSizes.large) { thread in
                var writer = StagingWriter(
                    progress: progress, file: try await blobs.openUpload(id), bufferSize: bufferSize,
                    hashingThread: thread)
                do {
                    let result = try await body(&writer)
                    try? await writer.file.close()
                    return result
                } catch {
                    try? await writer.file.close()
                    throw error
                }
            }
        }
    }

    private func digestOfStaged(_ id: String, progress: UploadSessions.Progress, algorithm: DigestAlgorithm)
        async throws -> Digest
    {
        if progress.hasher.algorithm == algorithm { return progress.hasher.finalize() }
        var hasher = ContentHasher(algorithm)
        try await blobs.readUpload(id) { hasher.update($0) }
        return hasher.finalize()
    }

    /// Renames the staged file into place and links it, under the digest's lock so that
    /// GC cannot delete the file between the two steps.
    private func commitStaged(_ id: String, as digest: Digest, size: Int64, to repository: RepositoryName) async throws {
        try await withDigestLock(digest) {
            try await blobs.commitUpload(id, as: digest, durable: durable)
            try await metadata.linkBlob(digest, size: size, to: repository)
        }
    }

    private func discardUpload(_ id: String) async throws {
        try await blobs.deleteUpload(id)
        try await metadata.deleteUpload(id: id)
    }
}
