import Foundation
import NIOCore
import Testing

@testable import Storage

extension BlobStore {
    /// Writes `bytes` as the whole staging file of upload `id`, and closes it.
    func stage(_ bytes: [UInt8], as id: String) async throws {
        let file = try await openUpload(id)
        if !bytes.isEmpty { try await file.write(ByteBuffer(bytes: bytes), at: 0) }
        try await file.close()
    }

    /// Stages `bytes` and commits them as their sha256 blob, as a verified upload would.
    @discardableResult
    func storeVerified(_ bytes: [UInt8]) async throws -> Digest {
        let (digest, id) = (sha256(bytes), "staged-\(sha256(bytes).encoded.prefix(12))")
        try await stage(bytes, as: id)
        try await commitUpload(id, as: digest, durable: false)
        return digest
    }

    /// What `read` streams for `range`, chunk by chunk.
    func chunks(of digest: Digest, range: ClosedRange<Int64>) async throws -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        try await read(digest, range: range) { chunks.append(Array($0.readableBytesView)) }
        return chunks
    }

    /// What `read` streams for `range`, joined.
    func contents(of digest: Digest, range: ClosedRange<Int64>) async throws -> [UInt8] {
        try await chunks(of: digest, range: range).reduce(into: []) { $0 += $1 }
    }

    /// What `readUpload` streams for upload `id`, joined.
    func stagedBytes(ofUpload id: String) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await readUpload(id) { bytes.append(contentsOf: $0.readableBytesView) }
        return bytes
    }
}

/// `count` random bytes in one read of `/dev/urandom`: `randomBytes` asks the system once per byte, which takes
/// seconds for the megabytes that chunked reads need.
func largeRandomBytes(_ count: Int) throws -> [UInt8] {
    let urandom = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
    defer { try? urandom.close() }
    let bytes = [UInt8](try #require(try urandom.read(upToCount: count)))
    try #require(bytes.count == count)
    return bytes
}
