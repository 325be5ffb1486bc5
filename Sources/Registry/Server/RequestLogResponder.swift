import Hummingbird
import Logging
import Storage

/// Parses the path into its OCI endpoint and operation, once, for everything after it (in the request
/// context); logs one line per request at info level (method, path, status, bytes, duration) and shows each
/// finished request to the extensions that observe requests.
struct RequestLogResponder<Next: HTTPResponder>: HTTPResponder where Next.Context == RegistryRequestContext {
    let next: Next
    let extensions: ExtensionSet
    let logger: Logger

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.endpoint = RegistryEndpoint(path: request.routedPath)
        context.operation = context.endpoint.flatMap { RegistryOperation($0, method: request.method) }
        let response: Response
        do {
            response = try await next.respond(to: request, context: context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, status: String(status), bytes: nil, since: start)
            observe(request, context.endpoint, status: status, since: start)
            throw error
        }
        let bytes = response.headers[.contentLength] ?? response.body.contentLength.map(String.init)
        log(request, status: String(response.status.code), bytes: bytes, since: start)
        observe(request, context.endpoint, status: response.status.code, since: start)
        return response
    }

    private func observe(
        _ request: Request, _ endpoint: RegistryEndpoint?, status: Int, since start: ContinuousClock.Instant
    ) {
        guard !extensions.isEmpty else { return }
        extensions.observe(
            RequestExchange(
                method: request.method.rawValue,
                path: request.uri.path,
                repository: endpoint?.repositoryName,
                status: status,
                seconds: (ContinuousClock.now - start).inSeconds
            )
        )
    }


    private func log(_ request: Request, status: String, bytes: String?, since start: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        let duration = ((ContinuousClock.now - start).inSeconds * 1_000_000).rounded() / 1000
        logger.info("\(request.method) \(request.uri.path) \(status) \(bytes ?? "-")B \(duration)ms")
    }
}
