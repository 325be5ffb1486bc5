/// zot's `http.accessControl` section: who may do what to which repositories.
///
/// Everything here grants; nothing denies. A caller may act on a repository when the most specific pattern
/// matching its name grants the action (to the user, one of their groups, every signed-in user through
/// `defaultPolicy`, or callers without credentials through `anonymousPolicy`), or when `adminPolicy` does.
public struct AccessControlConfig: Sendable, Equatable {
    /// Rules per repository name pattern (`"**"`, `"infra/*"`, `"team/app"`).
    public var repositories: [String: RepositoryRules]
    /// Actions granted on every repository to the users and groups it names.
    public var adminPolicy: AccessRule
    /// Group name → its members.
    public var groups: [String: [String]]
    /// Who may read `/metrics`.
    public var metrics: MetricsRule?

    public init(
        repositories: [String: RepositoryRules] = [:],
        adminPolicy: AccessRule = AccessRule(),
        groups: [String: [String]] = [:],
        metrics: MetricsRule? = nil
    ) {
        self.repositories = repositories
        self.adminPolicy = adminPolicy
        self.groups = groups
        self.metrics = metrics
    }

    /// Whether any pattern grants something to callers without credentials: then requests without
    /// credentials are let through as anonymous rather than challenged, as zot does.
    public var grantsAnonymousAccess: Bool {
        repositories.values.contains { !$0.anonymousPolicy.isEmpty }
    }

    /// Whether something is granted to signed-in callers only: an admin, a default policy, a policy naming
    /// users or groups (zot's `ContainsOnlyAnonymousPolicy`, negated).
    public var grantsSignedInAccess: Bool {
        if !adminPolicy.actions.isEmpty || !adminPolicy.users.isEmpty || !adminPolicy.groups.isEmpty { return true }
        return repositories.values.contains { rules in
            !rules.defaultPolicy.isEmpty
                || rules.policies.contains { !$0.actions.isEmpty || !$0.users.isEmpty || !$0.groups.isEmpty }
        }
    }
}

/// The rules of one repository pattern.
public struct RepositoryRules: Sendable, Equatable {
    /// Grants to named users and groups.
    public var policies: [AccessRule]
    /// Actions every signed-in user gets.
    public var defaultPolicy: Set<RepositoryAction>
    /// Actions a caller without credentials gets.
    public var anonymousPolicy: Set<RepositoryAction>

    public init(
        policies: [AccessRule] = [], defaultPolicy: Set<RepositoryAction> = [],
        anonymousPolicy: Set<RepositoryAction> = []
    ) {
        self.policies = policies
        self.defaultPolicy = defaultPolicy
        self.anonymousPolicy = anonymousPolicy
    }
}

/// Actions granted to the users and groups named.
public struct AccessRule: Sendable, Equatable {
    public var users: Set<String>
    public var groups: Set<String>
    public var actions: Set<RepositoryAction>

    public init(users: Set<String> = [], groups: Set<String> = [], actions: Set<RepositoryAction> = []) {
        self.users = users
        self.groups = groups
        self.actions = actions
    }
}

/// zot's `accessControl.metrics`: the users who may read `/metrics`, and whether callers without
/// credentials may (`anonymousPolicy: ["read"]`).
public struct MetricsRule: Sendable, Equatable {
    public var users: Set<String>
    public var anonymous: Bool

    public init(users: Set<String> = [], anonymous: Bool = false) {
        self.users = users
        self.anonymous = anonymous
    }
}
