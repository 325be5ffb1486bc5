import HTTPTypes
import Hummingbird
import NIOCore
import Storage

/// `GET`, `HEAD` and `DELETE /v2/<name>/blobs/<digest>`.
struct BlobRoutes {
    let store: RegistryStore

    /// The connection, for sending blob files with `sendfile` (see `SendfileHandler`).
    func get(_ request: Request, name: String, digest rawDigest: String, channel: (any Channel)?) async throws -> Response {
        let repository = try PathPart.repository(name)
        let digest = try PathPart.digest(rawDigest)
        guard let source = try store.blob(digest, in: repository) else { throw StorageError.blobUnknown(digest) }
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

    func delete(name: String, digest rawDigest: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        let digest = try PathPart.digest(rawDigest)
        try await store.deleteBlob(digest, in: repository)
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }
}
