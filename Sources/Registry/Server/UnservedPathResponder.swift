import Hummingbird

/// The router, with the OCI error envelope on its "no route" answer under `/v2/`.
///
/// `RegistryResponder` hands the router every `/v2/` path that is no OCI endpoint: the extensions'
/// `/v2/_oci/...` and `/v2/_zot/...`, and paths nothing serves (`/v2/_nothing`, `/v2/a/b/c`). For those the
/// router answers a bare 404, but clients of the registry API expect every error there as the envelope.
/// Paths outside `/v2/` keep the router's answer.
struct UnservedPathResponder<Router: HTTPResponder>: HTTPResponder where Router.Context == RegistryRequestContext {
    let router: Router

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        let response = try await router.respond(to: request, context: context)
        // The router's "no route" is a 404 without a body; a route's own 404 says what it is about.
        guard response.status == .notFound, response.headers[.contentType] == nil,
            request.uri.path.hasPrefix("/v2/")
        else {
            return response
        }
        // 404 as in distribution and zot, whose routers match no route for such a path either (no
        // repository name starts with `_`); NAME_UNKNOWN since the path names no repository this serves.
        return OCIError(.nameUnknown, detail: "no repository or endpoint at \(request.uri.path)")
            .response(includeBody: request.method != .head)
    }
}
