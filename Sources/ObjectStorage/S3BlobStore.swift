import NIOCore
import Storage

/// Blobs as objects in an S3 bucket, uploads staged on this replica's disk until they are committed.
///
/// ```
/// <rootdirectory>/_zotd/blobs/<algorithm>/<first two hex digits>/<hex>   verified blobs, immutable
/// ```
/// The key layout is the local backend's (`BlobLayout`) under the driver's `rootdirectory`. A commit streams
/// the staged file to the bucket (one PUT, or a multipart upload of `partSize` parts read a MiB at a time) and
/// only then is the blob there: S3 makes an object visible whole or not at all, as the local rename does.
public struct S3BlobStore: BlobStore, BlobFileListing, BlobURLs {
    let client: S3Client
    /// `rootdirectory` with one trailing slash, or empty.
    let prefix: String
    /// Where uploads are staged (the local backend's `uploads` directory under `storage.rootDirectory`).
    let staging: LocalBlobStore

    /// Parts of 16 MiB keep a part's retry cheap and reach S3's 10,000-part limit only past 156 GiB; a larger
    /// blob gets larger parts.
    static let partSize: Int64 = 16 << 20
    static let maxParts: Int64 = 10_000

    public init(client: S3Client, rootDirectory: String, staging: LocalBlobStore) {
        self.client = client
        let trimmed = rootDirectory.split(separator: "/").joined(separator: "/")
        self.prefix = trimmed.isEmpty ? "" : trimmed + "/"
        self.staging = staging
    }

    public var blobsPrefix: String { "\(prefix)\(BlobLayout.stateDirectoryName)/blobs/" }

    func key(_ digest: Digest) -> String { prefix + BlobLayout.relativeBlobPath(digest) }

    public func size(of digest: Digest) async throws -> Int64? {
        try await mapped { try await client.headObject(key(digest))?.size }
    }

    public func read(_ digest: Digest, range: ClosedRange<Int64>, into consume: (ByteBuffer) async throws -> Void)
        async throws
    {
        try await mapped { try await client.getObject(key(digest), range: range, into: consume) }
    }

    public func delete(_ digest: Digest) async throws {
        try await mapped { try await client.deleteObject(key(digest)) }
    }

    public func openUpload(_ id: String) async throws -> any UploadFile { try await staging.openUpload(id) }

    public func stagedSize(ofUpload id: String) async throws -> Int64? { try await staging.stagedSize(ofUpload: id) }

    public func readUpload(_ id: String, into consume: (ByteBuffer) async throws -> Void) async throws {
        try await staging.readUpload(id, into: consume)
    }

    public func readUpload(_ id: String, range: ClosedRange<Int64>, into consume: (ByteBuffer) async throws -> Void)
        async throws
    {
        try await staging.readUpload(id, range: range, into: consume)
    }

    public func deleteUpload(_ id: String) async throws { try await staging.deleteUpload(id) }

    public func stagedUploadIDs() async throws -> [String] { try await staging.stagedUploadIDs() }

    /// `durable` asks nothing more of S3: an object is stored durably once its PUT (or completion) is answered.
    public func commitUpload(_ id: String, as digest: Digest, durable: Bool) async throws {
        guard let size = try await staging.stagedSize(ofUpload: id) else {
            throw StorageError.io("upload \(id) has no staged bytes to commit")
        }
        let staging = staging
        try await mapped {
            // Content addressing: an object of this size under this digest is already the blob.
            if try await client.headObject(key(digest))?.size != size {
                try await upload(size: size, as: key(digest)) { offset, length in
                    var chunk = ByteBuffer()
                    try await staging.readUpload(id, range: offset...(offset + Int64(length) - 1)) { chunk.writeImmutableBuffer($0) }
                    return chunk
                }
            }
        }
        try await staging.deleteUpload(id)
    }

    /// Adopting a zot root means local files; an S3 store adopts none (zot's own S3 layout is another matter).
    public func adoptLocalFile(at path: String, as digest: Digest, durable: Bool) async throws -> AdoptedFile {
        throw StorageError.io("an S3 blob store does not adopt local files (\(path))")
    }

    /// One PUT for a blob of at most one part; otherwise a multipart upload, aborted if any part fails so that
    /// the bucket keeps no parts nobody will complete.
    private func upload(
        size: Int64, as key: String, read: @escaping @Sendable (Int64, Int) async throws -> ByteBuffer
    ) async throws {
        let partSize = max(Self.partSize, (size + Self.maxParts - 1) / Self.maxParts)
        guard size > partSize else {
            try await client.putObject(key, body: size == 0 ? .bytes(ByteBuffer()) : .chunks(length: size, read: read))
            return
        }
        let uploadID = try await client.createMultipartUpload(key)
        do {
            var etags: [String] = []
            var offset: Int64 = 0
            while offset < size {
                let (start, length) = (offset, min(partSize, size - offset))
                etags.append(
                    try await client.uploadPart(
                        key, uploadID: uploadID, number: etags.count + 1,
                        body: .chunks(length: length) { try await read(start + $0, $1) }))
                offset += length
            }
            try await client.completeMultipartUpload(key, uploadID: uploadID, parts: etags)
        } catch {
            try? await client.abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
    }

    public func temporaryURL(for digest: Digest, validFor seconds: Int) -> String {
        client.presignedGetURL(key(digest), expires: seconds)
    }

    // MARK: - Listing

    /// Each page of the listing (up to 1,000 keys) is a shard.
    public func forEachBlobFileShard(modifiedBefore cutoff: Double, _ visit: ([Digest]) async throws -> Void)
        async throws
    {
        var continuation: String?
        repeat {
            let page = try await mapped { try await client.listObjects(prefix: blobsPrefix, after: continuation) }
            let digests = page.objects.compactMap { object -> Digest? in
                guard let modified = object.lastModified, modified < cutoff else { return nil }
                return digest(ofKey: object.key)
            }
            if !digests.isEmpty { try await visit(digests) }
            continuation = page.next
        } while continuation != nil
    }

    public func modificationTime(of digest: Digest) async throws -> Double? {
        try await mapped { try await client.headObject(key(digest))?.lastModified }
    }

    /// The digest a key under `blobsPrefix` names, when it is laid out as a blob: `<alg>/<aa>/<hex>`.
    func digest(ofKey key: String) -> Digest? {
        guard key.hasPrefix(blobsPrefix) else { return nil }
        let parts = key.dropFirst(blobsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let digest = try? Digest(parsing: "\(parts[0]):\(parts[2])"),
            digest.encoded.hasPrefix(parts[1]), parts[1].count == 2
        else { return nil }
        return digest
    }

    /// S3's failures as the storage layer's, with S3's words for the log: no answer, or a 5xx, is
    /// `unavailable` (503, try again); anything else is `io`.
    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as S3Error {
            throw error.isUnavailable ? StorageError.unavailable(error.description) : StorageError.io(error.description)
        }
    }
}
