import HTTPTypes
import Hummingbird
import NIOCore
import Storage

/// `GET`, `HEAD` and `DELETE /v2/<name>/blobs/<digest>`.
struct BlobRoutes {
    let store: RegistryStore
    /// Asked for a blob storage lacks (sync's pull-through), when an extension offers that.
    var missingContent: (any MissingContentSource)? = nil
    /// Whether a GET of a stored blob is sent to the backend's own URL for it (`storage.redirectBlobURL`).
    var redirects = false

    /// The connection, for sending blob files with `sendfile` (see `SendfileHandler`).
    func get(_ request: Request, name: String, digest rawDigest: String, channel: (any Channel)?) async throws -> Response {
        let repository = try PathPart.repository(name)
        let digest = try PathPart.digest(rawDigest)
        let source: BlobSource
        switch try await storedOrMissing(digest, in: repository) {
        case .stored(let stored): source = stored
        case .passing(let size, let body): return passing(request, digest, size: size, body: body)
        }
        if redirects, request.method == .get, case .stored = source, let url = store.temporaryURL(for: digest) {
            // The client fetches the bytes from the store itself; a `Range` it sent goes along with it.
            return Response(
                status: .temporaryRedirect, headers: [.location: url, .dockerContentDigest: digest.description])
        }
        let size = source.size
        var headers: HTTPFields = [
            .dockerContentDigest: digest.description,
            .contentType: "application/octet-stream",
            .acceptRanges: "bytes",
        ]
        var status = HTTPResponse.Status.ok
        var range: ClosedRange<Int64>? = size > 0 ? 0...(size - 1) : nil
        switch ByteRange.requested(request.headers[.range], size: size) {
        case .success(let requested):
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(requested.lowerBound)-\(requested.upperBound)/\(size)"
        case .failure:
            throw StorageError.rangeNotSatisfiable(size: size)
        case nil:
            break
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        headers[.contentLength] = String(length)
        guard request.method != .head, let range else {
            return Response(status: status, headers: headers, body: .init())
        }
        switch source {
        case .inline(let bytes):
            let slice = bytes[Int(range.lowerBound)...Int(range.upperBound)]
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: slice)))
        case .stored(let recorded):
            // Damage (a truncated or missing file) is reported before the headers go out, not served.
            try await store.checkStoredSize(of: digest, recorded: recorded)
            let body = StoredBlobBody(store: store, digest: digest, recordedSize: recorded, range: range, channel: channel)
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
                try await body.write(to: &writer)
            })
        }
    }

    /// The stored blob, else what an extension brings (sync): the blob now stored, or its bytes on their way.
    private func storedOrMissing(_ digest: Digest, in repository: RepositoryName) async throws -> Available {
        if let stored = try await store.blob(digest, in: repository) { return .stored(stored) }
        switch try await missingContent?.blob(digest, in: repository) {
        case .stored:
            guard let stored = try await store.blob(digest, in: repository) else { throw StorageError.blobUnknown(digest) }
            return .stored(stored)
        case .passing(let size, let body): return .passing(size: size, body: body)
        case nil: throw StorageError.blobUnknown(digest)
        }
    }

    private enum Available {
        case stored(BlobSource)
        case passing(size: Int64, body: ResponseBody)
    }

    /// A blob on its way from elsewhere, sent whole as it arrives: a `Range` is not honoured (RFC 9110 lets a
    /// server send the whole representation), since the bytes after it may not be here yet.
    private func passing(_ request: Request, _ digest: Digest, size: Int64, body: ResponseBody) -> Response {
        let headers: HTTPFields = [
            .dockerContentDigest: digest.description, .contentType: "application/octet-stream",
            .contentLength: String(size),
        ]
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : body)
    }

    func delete(name: String, digest rawDigest: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        let digest = try PathPart.digest(rawDigest)
        try await store.deleteBlob(digest, in: repository)
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }
}
