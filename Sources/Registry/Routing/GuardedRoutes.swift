import Auth
import Config
import HTTPTypes
import Hummingbird

/// What a request needs before any handler runs. `AuthResponder` enforces it; routes only declare it.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone, with or without credentials: health checks, CORS preflights.
    case open
    /// Anyone who may call `GET /v2/`: a signed-in caller, or an anonymous one where anonymous access exists.
    case anyCaller
    /// Also callers that send no credentials at all, wherever auth is on (zot's mgmt endpoint, which tells a
    /// login page how to log in). Credentials that are sent must still be good.
    case anonymousWithoutCredentials
    /// A signed-in caller (API keys).
    case signedIn
    /// A user name and password, nothing else (`POST /zot/auth/login`).
    case passwordLogin
    /// `GET /v2/_catalog`: any caller; bearer tokens need the catalog grant. The route lists only what the
    /// caller may read.
    case catalog
    /// Whoever `accessControl.metrics` lets read `/metrics`.
    case metrics
    /// An administrator where auth is on, anyone where it is off (zot's trust material uploads).
    case admin
    /// An action on one repository.
    case repository(RepositoryAction, String)
}

/// Where routes outside the OCI API are added (health, auth, extensions), each declared with the access it
/// needs: the router gets the handler and `AuthResponder` the access from this one call, so a path is never
/// written twice.
public final class GuardedRoutes {
    /// The server's router, for reading what is registered (the debug extension lists it). Routes are added
    /// through `on`/`get`/`post`/`delete`, never on the router directly, or they would be guarded as `.anyCaller`.
    public let router: Router<RegistryRequestContext>
    /// What `AuthResponder` consults, filled in as routes are added.
    private(set) var table = RouteAccessTable()

    init(router: Router<RegistryRequestContext>) {
        self.router = router
    }

    /// Adds `handler` for `method` on `path` (a literal path: auth looks it up exactly).
    public func on(
        _ path: String, method: HTTPRequest.Method, access: RouteAccess,
        use handler: @escaping @Sendable (Request, RegistryRequestContext) async throws -> Response
    ) {
        table.declare(path, access)
        router.on(RouterPath(path), method: method, use: handler)
    }

    public func get(
        _ path: String, access: RouteAccess,
        use handler: @escaping @Sendable (Request, RegistryRequestContext) async throws -> Response
    ) {
        on(path, method: .get, access: access, use: handler)
    }

    public func post(
        _ path: String, access: RouteAccess,
        use handler: @escaping @Sendable (Request, RegistryRequestContext) async throws -> Response
    ) {
        on(path, method: .post, access: access, use: handler)
    }

    public func delete(
        _ path: String, access: RouteAccess,
        use handler: @escaping @Sendable (Request, RegistryRequestContext) async throws -> Response
    ) {
        on(path, method: .delete, access: access, use: handler)
    }
}

/// The access each route outside the OCI API declared, by path.
struct RouteAccessTable: Sendable {
    private var entries: [String: RouteAccess] = [:]

    mutating func declare(_ path: String, _ access: RouteAccess) {
        let key = Self.key(path)
        precondition(entries[key].map { $0 == access } ?? true, "\(path) declared with two different accesses")
        entries[key] = access
    }

    /// The access declared for the route the router would serve at `path` (percent-decoded); `.anyCaller`
    /// for a path nothing declared (the router answers 404 there, to callers it admits).
    func access(forPath path: String) -> RouteAccess {
        entries[Self.key(path)] ?? .anyCaller
    }

    /// The router skips empty path components (`/metrics/` and `//metrics` are served as `/metrics`), so the
    /// table compares paths the same way: a guard must never be missed by a spelling the router accepts.
    private static func key(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
