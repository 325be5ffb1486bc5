import NIOCore

extension RegistryStore {
    /// Copies `body` in as `blob`, which becomes a blob of `repository` only once all of it is staged and its
    /// digest verified; readers following it (`follow`) see each write as it lands. On any failure (a short
    /// body, a wrong digest, a failed write) nothing is stored and the readers fail too.
    public func copyIn<Body: AsyncSequence>(_ blob: PassingBlob, to repository: RepositoryName, from body: Body)
        async throws where Body.Element == ByteBuffer
    {
        do {
            _ = try await stageAndCommit(
                blob.stagingID, as: blob.digest, in: repository, body: body, declaredLength: blob.size,
                onProgress: { blob.advance(to: $0) })
            blob.finish(.success(()))
        } catch {
            blob.finish(.failure(error as? StorageError ?? .io("copy of \(blob.digest) failed: \(error)")))
            throw error
        }
    }

    /// Streams all of `blob` to `consume` while it is copied in: what is staged from the staging file, the
    /// rest as it lands, and, once the copy is stored, from the stored blob.
    /// - Throws: the copy's error when it fails (the response then ends short, as a client must notice).
    public func follow(_ blob: PassingBlob, into consume: (ByteBuffer) async throws -> Void) async throws {
        var offset: Int64 = 0
        while offset < blob.size {
            switch try await blob.progress(beyond: offset) {
            case .stored:
                try await blobs.read(blob.digest, range: offset...(blob.size - 1)) { chunk in
                    offset += Int64(chunk.readableBytes)
                    try await consume(chunk)
                }
            case .staged(let staged):
                do {
                    try await blobs.readUpload(blob.stagingID, range: offset...(staged - 1)) { chunk in
                        offset += Int64(chunk.readableBytes)
                        try await consume(chunk)
                    }
                } catch is StorageError {
                    // The staging file went: renamed into place as the blob (read on from there), or deleted
                    // because the copy failed (which `finished` throws).
                    try await blob.finished()
                }
            }
        }
    }
}
