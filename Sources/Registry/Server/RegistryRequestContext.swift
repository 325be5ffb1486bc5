import Auth
import Hummingbird
import NIOCore

/// The per-request context every zotd route sees.
public struct RegistryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who sent the request and what they may do, set by `AuthResponder` before any route runs. On a server
    /// without authentication or access control it stays `.unrestricted`.
    public var caller: Caller = .unrestricted
    /// The OCI endpoint the path names, parsed once by `RequestLogResponder` (nil for other paths).
    var endpoint: RegistryEndpoint?
    /// The endpoint with the request's method; nil when it is not served with that method.
    var operation: RegistryOperation?
    /// For routes that need more than their declared access once they know more (`RequestAuthorization`);
    /// nil when the server has no auth.
    var authorization: RequestAuthorization?
    /// The connection, for the TLS client certificate and the peer's address.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Whether the caller may read `repository`, for extensions that list repositories.
    public func mayRead(_ repository: String) -> Bool { caller.may(.read, on: repository) }
}
