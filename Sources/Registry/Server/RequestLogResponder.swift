import Hummingbird
import Logging

/// Logs one line per request at info level (method, path, status, bytes, duration) and
/// shows each finished request to the extensions that observe requests.
struct RequestLogResponder<Next: HTTPResponder>: HTTPResponder where Next.Context == RegistryRequestContext {
    let next: Next
    let extensions: ExtensionSet
    let logger: Logger

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request, context: context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, status: String(status), bytes: nil, since: start)
            observe(request, status: status, since: start)
            throw error
        }
        let bytes = response.headers[.contentLength] ?? response.body.contentLength.map(String.init)
        log(request, status: String(response.status.code), bytes: bytes, since: start)
        observe(request, status: response.status.code, since: start)
        return response
    }

    private func observe(_ request: Request, status: Int, since start: ContinuousClock.Instant) {
        guard !extensions.isEmpty else { return }
        extensions.observe(
            RequestExchange(
                method: request.method.rawValue,
                path: request.uri.path,
                repository: RegistryEndpoint(path: request.uri.path)?.repositoryName,
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
