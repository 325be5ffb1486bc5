import HTTPTypes
import Hummingbird
import Storage

/// The blob upload endpoints: `POST /v2/<name>/blobs/uploads/` (new session, monolithic push
/// or cross-repository mount) and `PATCH`, `PUT`, `GET`, `DELETE` on `/v2/<name>/blobs/uploads/<id>`.
struct UploadRoutes {
    let store: RegistryStore
    /// `http.maxUploadSessionsPerClient`: resumable sessions one client may hold open.
    let sessionLimit: Int

    init(_ environment: OperationEnvironment) {
        store = environment.store
        sessionLimit = environment.uploadSessionLimit
    }

    /// Only a request that opens a resumable session counts against the client's quota: a monolithic
    /// `POST ?digest=` or a successful mount leaves nothing open.
    func start(_ request: Request, name: String, context: RegistryRequestContext) async throws -> Response {
        let repository = try PathPart.repository(name)
        if let mount = request.query("mount") {
            let digest = try PathPart.digest(mount)
            // From a repository the caller may not read, a mount is an ordinary upload as the spec has it for
            // any mount that cannot be done: nothing tells the caller whether the blob exists there.
            for source in try await mountSources(digest, from: request.query("from"), context: context)
            where try await store.mountBlob(digest, from: source, to: repository) {
                return created(repository, digest)
            }
            // Not mountable: the spec says to fall back to an ordinary upload session.
        } else if let rawDigest = request.query("digest") {
            let digest = try PathPart.digest(rawDigest)
            _ = try await store.storeBlob(digest, in: repository, body: request.body, declaredLength: request.declaredLength)
            return created(repository, digest)
        }
        let id = try await store.startUpload(in: repository, owner: context.uploadClient.description, limit: sessionLimit)
        return progress(repository, id: id, offset: 0, status: .accepted)
    }

    /// Where a mount may take the blob from: `from`, if the caller may read it; without `from`, any repository
    /// holding the blob that the caller may read (zot's automatic cross-repository mount).
    private func mountSources(_ digest: Digest, from: String?, context: RegistryRequestContext) async throws -> [RepositoryName] {
        if let from {
            guard context.caller.may(.read, on: from), let source = try? PathPart.repository(from) else { return [] }
            return [source]
        }
        return try await store.repositories(holding: digest).filter { context.caller.may(.read, on: $0.value) }
    }

    func patch(_ request: Request, name: String, id: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        let start = try chunkStart(request)
        let offset = try await store.appendToUpload(
            id,
            in: repository,
            body: request.body,
            start: start,
            declaredLength: request.declaredLength
        )
        return progress(repository, id: id, offset: offset, status: .accepted)
    }

    func complete(_ request: Request, name: String, id: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        guard let rawDigest = request.query("digest") else {
            throw OCIError(.digestInvalid, detail: "the digest query parameter is required to complete an upload")
        }
        let digest = try PathPart.digest(rawDigest)
        if request.declaredLength != 0 {
            try await store.appendToUpload(
                id,
                in: repository,
                body: request.body,
                start: try chunkStart(request),
                declaredLength: request.declaredLength
            )
        }
        _ = try await store.completeUpload(id, in: repository, digest: digest)
        return created(repository, digest)
    }

    func status(name: String, id: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        let offset = try await store.uploadOffset(id, in: repository)
        return progress(repository, id: id, offset: offset, status: .noContent)
    }

    func cancel(name: String, id: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        try await store.cancelUpload(id, in: repository)
        return Response(status: .noContent)
    }

    /// Where a chunk claims to start. A `Content-Range` must be well formed and agree with
    /// `Content-Length`; without one the chunk is appended wherever the upload stands.
    private func chunkStart(_ request: Request) throws -> Int64? {
        guard let header = request.headers[.contentRange] else { return nil }
        guard let range = ByteRange.chunk(header) else {
            throw OCIError(.blobUploadInvalid, detail: "malformed Content-Range \(header)", status: .rangeNotSatisfiable)
        }
        if let length = request.declaredLength, length - 1 != range.upperBound - range.lowerBound {
            throw OCIError(
                .blobUploadInvalid,
                detail: "Content-Range \(header) disagrees with Content-Length \(length)",
                status: .rangeNotSatisfiable
            )
        }
        return range.lowerBound
    }

    private func created(_ repository: RepositoryName, _ digest: Digest) -> Response {
        Response(
            status: .created,
            headers: [
                .location: "/v2/\(repository)/blobs/\(digest)",
                .dockerContentDigest: digest.description,
                .contentLength: "0",
            ]
        )
    }

    private func progress(_ repository: RepositoryName, id: String, offset: Int64, status: HTTPResponse.Status)
        -> Response
    {
        Response(
            status: status,
            headers: [
                .location: "/v2/\(repository)/blobs/uploads/\(id)",
                .range: HTTPFields.uploadProgress(offset: offset),
                .dockerUploadUUID: id,
                .contentLength: "0",
            ]
        )
    }
}
