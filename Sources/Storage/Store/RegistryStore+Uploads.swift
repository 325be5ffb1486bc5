import Foundation
import NIOCore

extension RegistryStore {
    /// Opens a resumable upload session in `repository` and returns its id.
    public func startUpload(in repository: RepositoryName) async throws -> String {
        let id = UUID().uuidString.lowercased()
        let now = Self.now
        try await metadata.createUpload(UploadRecord(id: id, repository: repository, createdAt: now, updatedAt: now))
        return id
    }

    /// How long a status request waits for a request that holds the upload to finish.
    static let busyUploadWait: Duration = .seconds(5)

    /// Bytes received so far by upload `id`.
    public func uploadOffset(_ id: String, in repository: RepositoryName) async throws -> Int64 {
        try requireUpload(id, in: repository)
        // A request still holding the upload is usually the client's own previous one, cut short and not yet
        // wound up (it still writes what arrived): wait for it a little, so that the answer is where the next
        // chunk must start rather than a point the upload is about to pass.
        let deadline = ContinuousClock.now + Self.busyUploadWait
        while progress.isBusy(id), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if let offset = progress.offset(of: id) { return offset }
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
        try requireUpload(id, in: repository)
        let current = try await claimProgress(id)
        var writer: StagingWriter
        do {
            if let start, start != current.offset {
                throw StorageError.uploadRangeInvalid(
                    expectedOffset: current.offset,
                    detail: "chunk starts at \(start)"
                )
            }
            writer = StagingWriter(progress: current, file: try await blobs.openUpload(id))
        } catch {
            progress.release(id, progress: current)
            throw error
        }
        let appended: Int64
        do {
            appended = try await writer.append(body)
        } catch {
            try? await writer.file.close()
            progress.release(id, progress: writer.progress)
            throw error
        }
        try? await writer.file.close()
        progress.release(id, progress: writer.progress)
        if let declaredLength, appended != declaredLength {
            throw StorageError.uploadInvalid("received \(appended) bytes, Content-Length said \(declaredLength)")
        }
        try await metadata.touchUpload(id: id, at: Self.now)
        return writer.progress.offset
    }

    /// Verifies the staged bytes against `digest` and, when they match, makes them the blob.
    /// A mismatch discards the upload: nothing is stored.
    /// - Returns: the blob's size.
    public func completeUpload(_ id: String, in repository: RepositoryName, digest: Digest) async throws -> Int64 {
        try requireUpload(id, in: repository)
        let current = try await claimProgress(id)
        do {
            let actual = try await digestOfStaged(id, progress: current, algorithm: digest.algorithm)
            guard actual == digest else {
                try await discardUpload(id)
                throw StorageError.digestMismatch(expected: digest, actual: actual)
            }
            if current.offset == 0 {
                // An upload that never received a byte has no staging file yet: the empty blob needs one.
                try await blobs.openUpload(id).close()
            }
            try await commitStaged(id, as: digest, size: current.offset, to: repository)
            try await metadata.deleteUpload(id: id)
            progress.release(id, progress: nil)
            return current.offset
        } catch {
            if case StorageError.digestMismatch = error {} else { progress.release(id, progress: current) }
            throw error
        }
    }

    /// Abandons upload `id` and its staged bytes.
    public func cancelUpload(_ id: String, in repository: RepositoryName) async throws {
        try requireUpload(id, in: repository)
        _ = try await claimProgress(id)
        try await discardUpload(id)
    }

    /// A whole blob in one request (monolithic push): staged, verified, then made visible.
    /// Nothing is left behind when the body is short or the digest is wrong.
    public func storeBlob<Body: AsyncSequence>(
        _ digest: Digest,
        in repository: RepositoryName,
        body: Body,
        declaredLength: Int64?
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        let id = "m-" + UUID().uuidString.lowercased()
        let file = try await blobs.openUpload(id)
        var writer = StagingWriter(progress: .init(offset: 0, hasher: ContentHasher(digest.algorithm)), file: file)
        let size: Int64
        do {
            size = try await writer.append(body)
        } catch {
            try? await file.close()
            try? await blobs.deleteUpload(id)
            throw error
        }
        try? await file.close()
        do {
            if let declaredLength, size != declaredLength {
                throw StorageError.uploadInvalid("received \(size) bytes, Content-Length said \(declaredLength)")
            }
            let actual = writer.progress.hasher.finalize()
            guard actual == digest else { throw StorageError.digestMismatch(expected: digest, actual: actual) }
            try await commitStaged(id, as: digest, size: size, to: repository)
            return size
        } catch {
            try? await blobs.deleteUpload(id)
            throw error
        }
    }

    /// Staging files of one-request uploads cannot be resumed: a crash leaves them orphaned.
    public func removeAbandonedMonolithicUploads() async throws {
        for id in try await blobs.stagedUploadIDs() where id.hasPrefix("m-") {
            try await blobs.deleteUpload(id)
        }
    }

    // MARK: - Internals

    private func requireUpload(_ id: String, in repository: RepositoryName) throws {
        guard Self.isWellFormedUploadID(id), let record = try metadata.upload(id: id), record.repository == repository
        else {
            throw StorageError.uploadUnknown(id)
        }
    }

    /// Upload ids become file names: only the UUIDs we hand out are accepted.
    static func isWellFormedUploadID(_ id: String) -> Bool {
        id.utf8.count == 36 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2D }
    }

    /// Exclusive hold on the upload, rebuilding its hash from the staged file after a restart.
    private func claimProgress(_ id: String) async throws -> UploadProgressTable.Progress {
        if let known = try progress.claim(id) { return known }
        do {
            var hasher = ContentHasher(.sha256)
            var offset: Int64 = 0
            try await blobs.readUpload(id) { chunk in
                hasher.update(chunk)
                offset += Int64(chunk.readableBytes)
            }
            return .init(offset: offset, hasher: hasher)
        } catch {
            progress.release(id, progress: nil)
            throw error
        }
    }

    private func digestOfStaged(_ id: String, progress: UploadProgressTable.Progress, algorithm: DigestAlgorithm)
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
        try await digestLocks.withLock(digest) {
            try await blobs.commitUpload(id, as: digest, durable: durable)
            try await metadata.linkBlob(digest, size: size, to: repository)
        }
    }

    private func discardUpload(_ id: String) async throws {
        try await blobs.deleteUpload(id)
        try await metadata.deleteUpload(id: id)
        progress.release(id, progress: nil)
    }
}
