import Auth
import HTTPTypes
import Hummingbird
import NIOCore
import Storage

/// `GET`, `HEAD`, `PUT` and `DELETE /v2/<name>/manifests/<reference>`.
struct ManifestRoutes {
    let store: RegistryStore
    let extensions: ExtensionSet

    init(_ environment: OperationEnvironment) {
        store = environment.store
        extensions = environment.extensions
    }

    func get(_ request: Request, name: String, reference rawReference: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        let reference: Reference
        do {
            reference = try Reference(parsing: rawReference)
        } catch .tagInvalid {
            throw StorageError.manifestUnknown(rawReference)
        }
        let manifest = try await storedOrMissing(reference, in: repository)
        if !extensions.isEmpty {
            try await extensions.checkPull(
                ManifestPull(repository: repository, reference: reference, digest: manifest.digest, content: manifest.content))
        }
        let headers: HTTPFields = [
            .contentType: manifest.mediaType,
            .dockerContentDigest: manifest.digest.description,
            .contentLength: String(manifest.content.count),
            .eTag: "\"\(manifest.digest)\"",
        ]
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: manifest.content))
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The stored manifest, else one an extension brings (sync), else `manifestUnknown`.
    private func storedOrMissing(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest {
        do {
            let stored = try await store.manifest(reference, in: repository)
            if case .tag(let tag) = reference { extensions.missingContent?.tagServed(tag, in: repository) }
            return stored
        } catch StorageError.manifestUnknown(let name) {
            guard let source = extensions.missingContent,
                let brought = try await source.manifest(reference, in: repository)
            else { throw StorageError.manifestUnknown(name) }
            return brought
        }
    }

    func put(_ request: Request, name: String, reference rawReference: String, context: RegistryRequestContext)
        async throws -> Response
    {
        let repository = try PathPart.repository(name)
        let reference = try Reference(parsing: rawReference)
        let extraTags = try request.uri.queryParameters.getAll("tag").map { try Tag(parsing: $0) }
        _ = try ManifestMediaType(contentType: request.headers[.contentType])
        let bytes = try await Self.collect(request.body, limit: RegistryStore.manifestSizeLimit)
        if let authorization = context.authorization {
            try await requireUpdateIfMovingTags(bytes, reference, extraTags, in: repository, authorization)
        }
        let identity = context.caller.identity
        let (digest, manifest) = try await store.putManifest(
            bytes,
            contentType: request.headers[.contentType],
            reference: reference,
            extraTags: extraTags,
            in: repository,
            pushedBy: identity.isAnonymous ? "" : identity.name,
            vet: extensions.isEmpty ? nil : vetting(bytes, repository, reference)
        )
        if !extensions.isEmpty {
            var tags = extraTags
            if case .tag(let tag) = reference { tags.insert(tag, at: 0) }
            await extensions.publish(
                .manifestPushed(
                    ManifestPush(
                        repository: repository.value, digest: digest, tags: tags.map(\.value),
                        mediaType: manifest.mediaType.rawValue, content: bytes,
                        pushedBy: identity.isAnonymous ? "" : identity.name)))
        }
        var headers: HTTPFields = [
            .location: "/v2/\(repository)/manifests/\(digest)",
            .dockerContentDigest: digest.description,
            .contentLength: "0",
        ]
        if let subject = manifest.subject {
            headers[.ociSubject] = subject.description
        }
        for tag in extraTags {
            headers.append(HTTPField(name: .ociTag, value: tag.value))
        }
        return Response(status: .created, headers: headers)
    }

    func delete(name: String, reference rawReference: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        let reference: Reference
        do {
            reference = try Reference(parsing: rawReference)
        } catch .tagInvalid {
            throw StorageError.manifestUnknown(rawReference)
        }
        try await store.deleteManifest(reference, in: repository)
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }

    /// `create` was judged before the body was read; a push that moves an existing tag to other content needs
    /// `update` too (except `latest`, which zot leaves movable by `create`).
    private func requireUpdateIfMovingTags(
        _ bytes: [UInt8], _ reference: Reference, _ extraTags: [Tag], in repository: RepositoryName,
        _ authorization: RequestAuthorization
    ) async throws {
        var tags = extraTags
        if case .tag(let tag) = reference { tags.insert(tag, at: 0) }
        var existing: [Digest] = []
        for tag in tags where tag.value != "latest" {
            if let digest = try? await store.manifest(.tag(tag), in: repository).digest { existing.append(digest) }
        }
        guard !existing.isEmpty else { return }
        let pushed: Digest
        if case .digest(let digest) = reference { pushed = digest } else { pushed = Digest.sha256(of: bytes) }
        if existing.contains(where: { $0 != pushed }) {
            try authorization.require([Permission(.update, on: repository.value)])
        }
    }

    /// Hands the manifest to the extensions that check manifests, once the store has parsed it.
    private func vetting(_ bytes: [UInt8], _ repository: RepositoryName, _ reference: Reference)
        -> @Sendable (ParsedManifest) async throws -> Void
    {
        { [self] parsed in try await extensions.check(submission(bytes, parsed.mediaType, repository, reference)) }
    }

    /// The manifest as extensions that check manifests see it.
    private func submission(
        _ bytes: [UInt8], _ mediaType: ManifestMediaType, _ repository: RepositoryName, _ reference: Reference
    ) -> ManifestSubmission {
        let store = store
        return ManifestSubmission(
            repository: repository,
            reference: reference,
            content: bytes,
            mediaType: mediaType,
            readBlob: { digest, limit in
                guard let source = try await store.blob(digest, in: repository), source.size <= limit else { return nil }
                switch source {
                case .inline(let bytes): return bytes
                case .stored(let size):
                    var bytes: [UInt8] = []
                    if size > 0 {
                        try await store.readBlob(digest, range: 0...(size - 1)) { bytes.append(contentsOf: $0.readableBytesView) }
                    }
                    return bytes
                }
            }
        )
    }

    /// Reads a body of at most `limit` bytes; a larger one is refused as soon as it is seen.
    static func collect(_ body: RequestBody, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.readableBytes <= limit else { throw StorageError.manifestTooLarge(limit: limit) }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }
}
