import Auth
import HTTPTypes
import Hummingbird

/// The docker engine (`docker/<version> … UpstreamClient(…)`) and CLI (`Docker-Client/…`), by User-Agent
/// (zot `pkg/api/authn.go` @ 6d19b445).
///
/// docker reads a 200 to `GET /v2/` without credentials as "this registry asks for none", and then never
/// sends the credentials it has stored, so its pushes to repositories that need a login fail. Where
/// anonymous and signed-in access are mixed, zot therefore challenges docker there; other clients still get
/// the 200 anonymous callers are entitled to.
enum DockerClient {
    static func sent(_ request: Request) -> Bool {
        guard let agent = request.headers[.userAgent] else { return false }
        return agent.hasPrefix("docker/") || agent.contains("Docker-Client")
    }

    /// Whether this request is docker asking `GET /v2/` without credentials where it must be challenged.
    static func mustBeChallenged(_ request: Request, _ context: RegistryRequestContext, _ authenticator: Authenticator) -> Bool {
        context.operation == .versionCheck && request.headers[values: .authorization].isEmpty && sent(request)
            && authenticator.mixesAnonymousAndSignedInAccess
    }
}
