import Config

/// Decides permissions for any identity: bearer tokens by their grants, everyone else by the access-control
/// rules, narrowed by an API key's scopes.
public struct Authorizer: Sendable {
    /// The compiled `http.accessControl`, if configured.
    public let policy: AccessPolicy?
    /// Whether the server asks for credentials at all. Without access control, a signed-in caller may do
    /// anything and an anonymous one nothing — unless nothing asks for credentials, when everyone may.
    public let requiresAuthentication: Bool

    public init(policy: AccessPolicy?, requiresAuthentication: Bool) {
        self.policy = policy
        self.requiresAuthentication = requiresAuthentication
    }

    /// No access control and no authentication: everything is allowed.
    public static let open = Authorizer(policy: nil, requiresAuthentication: false)

    public func allows(_ identity: Identity, _ permission: Permission) -> Bool {
        if identity.method == .bearer {
            return identity.grants?.allows(permission) ?? false
        }
        if let scopes = identity.scopes, !scopes.contains(where: { $0.matches(permission.repository) }) {
            return false
        }
        if let policy {
            return policy.allows(identity, permission.action, on: permission.repository)
        }
        return !identity.isAnonymous || !requiresAuthentication
    }

    /// Whether `identity` may change what the registry trusts (zot's admin-only extension endpoints): anyone
    /// where nothing asks for credentials, otherwise only a user or group `adminPolicy` names (a bearer token
    /// never is one).
    public func isAdmin(_ identity: Identity) -> Bool {
        guard requiresAuthentication else { return true }
        guard identity.method != .bearer, let policy else { return false }
        return policy.isAdmin(identity)
    }

    /// Whether `identity` may read `/metrics` (`accessControl.metrics`). A bearer token needs the catalog grant:
    /// the page names every repository, as the catalog does.
    public func mayReadMetrics(_ identity: Identity) -> Bool {
        if identity.method == .bearer { return identity.grants?.allowsCatalog ?? false }
        if let policy { return policy.mayReadMetrics(identity) }
        return !identity.isAnonymous || !requiresAuthentication
    }
}

/// An identity together with the rules that apply to it: what handlers and extensions ask
/// "may the caller …?".
public struct Caller: Sendable, CustomStringConvertible {
    public let identity: Identity
    public let authorizer: Authorizer

    public init(identity: Identity, authorizer: Authorizer) {
        self.identity = identity
        self.authorizer = authorizer
    }

    /// The caller of a server without authentication or access control: anonymous, allowed everything.
    public static let unrestricted = Caller(identity: .anonymous, authorizer: .open)

    /// Whether the caller may do `action` on `repository`.
    public func may(_ action: RepositoryAction, on repository: String) -> Bool {
        authorizer.allows(identity, Permission(action, on: repository))
    }

    /// Whether the caller may read `/metrics` (`accessControl.metrics`), for routes declared with that access.
    public var mayReadMetrics: Bool { authorizer.mayReadMetrics(identity) }

    /// Whether the caller may read every repository, so that listings need no filtering: no access control,
    /// no API key scopes, no bearer token's grants to narrow what it may do.
    public var mayReadEveryRepository: Bool {
        guard identity.method != .bearer, authorizer.policy == nil, identity.scopes == nil else { return false }
        return !identity.isAnonymous || !authorizer.requiresAuthentication
    }

    /// Whether the caller may list every repository in the catalog (bearer tokens need a catalog grant).
    public var mayListCatalog: Bool {
        identity.method == .bearer ? identity.grants?.allowsCatalog ?? false : true
    }

    public var description: String { identity.description }
}
