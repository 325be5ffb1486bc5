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
            log(request, status: "error", bytes: nil, since: start)
            throw error
        }
        let bytes = response.headers[.contentLength] ?? response.body.contentLength.map(String.init)
        log(request, status: String(response.status.code), bytes: bytes, since: start)
        if !extensions.isEmpty {
            extensions.observe(
                RequestExchange(
                    method: request.method.rawValue,
                    path: request.uri.path,
                    repository: RegistryEndpoint(path: request.uri.path)?.repositoryName,
                    status: response.status.code,
                    seconds: Self.seconds(ContinuousClock.now - start)
                )
            )
        }
        return response
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func log(_ request: Request, status: String, bytes: String?, since start: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        let duration = (Self.seconds(ContinuousClock.now - start) * 1_000_000).rounded() / 1000
        logger.info("\(request.method) \(request.uri.path) \(status) \(bytes ?? "-")B \(duration)ms")
    }
}
