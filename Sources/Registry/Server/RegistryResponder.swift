import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOHTTP1
import Storage

/// Answers the OCI endpoints, and hands every other path to `fallback` (health checks,
/// extensions, or a 404).
///
/// Paths are matched by `RegistryEndpoint` rather than by router patterns, because
/// repository names contain slashes and endpoints are recognised from the path's end.
struct RegistryResponder<Fallback: HTTPResponder>: HTTPResponder where Fallback.Context == RegistryRequestContext {
    let store: RegistryStore
    let extensions: ExtensionSet
    /// `http.maxUploadSessionsPerClient`.
    let uploadSessionLimit: Int
    let fallback: Fallback

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        guard let endpoint = RegistryEndpoint(path: Self.decodedPath(request.uri.path)) else {
            return try await fallback.respond(to: request, context: context)
        }
        do {
            let response = try await dispatch(endpoint, request, context)
            if !extensions.isEmpty, let event = Self.event(endpoint, request, response) {
                await extensions.publish(event)
            }
            return response
        } catch let error as OCIError {
            return error.response(includeBody: request.method != .head)
        } catch let error as StorageError {
            if case .io(let detail) = error {
                context.logger.error("storage failure", metadata: ["detail": .string(detail)])
            }
            return OCIError(error).response(includeBody: request.method != .head)
        } catch let error as HTTPParserError {
            // Thrown by the request body as the route reads it.
            return OCIError(error, at: endpoint).response(includeBody: request.method != .head)
        } catch {
            context.logger.error("request failed", metadata: ["error": .string("\(error)")])
            return OCIError(.unknown).response(includeBody: request.method != .head)
        }
    }

    /// Clients may escape `:` in digests or `/` in names; match on the decoded path as zot does.
    static func decodedPath(_ path: String) -> String {
        guard path.contains("%") else { return path }
        return path.removingPercentEncoding ?? path
    }

    private func dispatch(_ endpoint: RegistryEndpoint, _ request: Request, _ context: RegistryRequestContext)
        async throws -> Response
    {
        let method = request.method
        switch (endpoint, method) {
        case (.base, .get), (.base, .head):
            return BaseRoutes().base(request)
        case (.catalog, .get):
            return try ListingRoutes(store: store).catalog(request)
        case (.tags(let name), .get):
            return try ListingRoutes(store: store).tags(request, name: name)
        case (.manifest(let name, let reference), .get), (.manifest(let name, let reference), .head):
            return try await ManifestRoutes(store: store, extensions: extensions).get(request, name: name, reference: reference)
        case (.manifest(let name, let reference), .put):
            return try await ManifestRoutes(store: store, extensions: extensions).put(request, name: name, reference: reference)
        case (.manifest(let name, let reference), .delete):
            return try await ManifestRoutes(store: store, extensions: extensions).delete(name: name, reference: reference)
        case (.blob(let name, let digest), .get), (.blob(let name, let digest), .head):
            return try await BlobRoutes(store: store).get(request, name: name, digest: digest, channel: context.channel)
        case (.blob(let name, let digest), .delete):
            return try await BlobRoutes(store: store).delete(name: name, digest: digest)
        case (.uploads(let name), .post):
            return try await UploadRoutes(store: store, sessionLimit: uploadSessionLimit)
                .start(request, name: name, client: context.uploadClient)
        case (.upload(let name, let id), .patch):
            return try await UploadRoutes(store: store, sessionLimit: uploadSessionLimit).patch(request, name: name, id: id)
        case (.upload(let name, let id), .put):
            return try await UploadRoutes(store: store, sessionLimit: uploadSessionLimit).complete(request, name: name, id: id)
        case (.upload(let name, let id), .get):
            return try await UploadRoutes(store: store, sessionLimit: uploadSessionLimit).status(name: name, id: id)
        case (.upload(let name, let id), .delete):
            return try await UploadRoutes(store: store, sessionLimit: uploadSessionLimit).cancel(name: name, id: id)
        case (.referrers(let name, let digest), .get):
            return try ReferrerRoutes(store: store).referrers(request, name: name, digest: digest)
        case (.orasReferrers(let name, let digest), .get):
            return try ReferrerRoutes(store: store).orasReferrers(request, name: name, digest: digest)
        default:
            throw OCIError(.unsupported, detail: "\(method) is not supported on \(request.uri.path)")
        }
    }

    /// What a successful request changed or read, for extensions that listen.
    static func event(_ endpoint: RegistryEndpoint, _ request: Request, _ response: Response) -> RegistryEvent? {
        let digest = response.headers[.dockerContentDigest].flatMap { try? Digest(parsing: $0) }
        switch (endpoint, request.method, response.status) {
        case (.manifest(let name, _), .put, .created):
            guard let digest else { return nil }
            let tags = request.uri.queryParameters.getAll("tag").map { String($0) }
            var all = tags
            if case .manifest(_, let reference) = endpoint, !reference.contains(":") { all.insert(reference, at: 0) }
            return .manifestPushed(
                repository: name,
                digest: digest,
                tags: all,
                mediaType: request.headers[.contentType] ?? ""
            )
        case (.manifest(let name, let reference), .delete, .accepted):
            return .manifestDeleted(repository: name, reference: reference)
        case (.manifest(let name, let reference), .get, .ok):
            return .imagePulled(repository: name, reference: reference)
        case (.uploads(let name), .post, .created), (.upload(let name, _), .put, .created):
            return digest.map { .blobPushed(repository: name, digest: $0) }
        default:
            return nil
        }
    }
}
