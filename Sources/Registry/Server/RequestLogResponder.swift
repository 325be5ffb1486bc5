import Hummingbird
import Logging

/// Logs one line per request at info level: method, path, status, bytes and duration.
struct RequestLogResponder<Next: HTTPResponder>: HTTPResponder where Next.Context == RegistryRequestContext {
    let next: Next
    let logger: Logger

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request, context: context)
        } catch {
            log(request, status: "error", bytes: nil, since: start)
            throw error
        }
        let bytes = response.headers[.contentLength] ?? response.body.contentLength.map(String.init)
        log(request, status: String(response.status.code), bytes: bytes, since: start)
        return response
    }

    private func log(_ request: Request, status: String, bytes: String?, since start: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let duration = (milliseconds * 1000).rounded() / 1000
        logger.info("\(request.method) \(request.uri.path) \(status) \(bytes ?? "-")B \(duration)ms")
    }
}
