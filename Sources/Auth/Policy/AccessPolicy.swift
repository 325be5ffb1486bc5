import Config

/// `http.accessControl` compiled for answering "may this identity do this action on this repository?".
///
/// zot's rules: the longest pattern that matches the repository name decides (`RepositoryGlob.specificity`);
/// within it a user is allowed an action that a policy grants to them or to one of their groups, or that
/// `defaultPolicy` grants to every signed-in user; an anonymous caller gets `anonymousPolicy`. Whatever the
/// patterns say, `adminPolicy` adds its actions on every repository. A repository no pattern matches is
/// closed to everyone but admins.
public struct AccessPolicy: Sendable {
    private struct Entry: Sendable {
        let glob: RepositoryGlob
        let rules: RepositoryRules
    }

    /// Most specific first.
    private let entries: [Entry]
    private let admin: AccessRule
    private let groupsByUser: [String: [String]]
    private let metrics: MetricsRule?
    /// Whether some pattern grants anything to callers without credentials.
    public let grantsAnonymousAccess: Bool
    /// Whether some rule grants something to signed-in callers only.
    public let grantsSignedInAccess: Bool

    public init(_ config: AccessControlConfig) throws(RepositoryGlob.SyntaxError) {
        var entries: [Entry] = []
        for (pattern, rules) in config.repositories {
            entries.append(Entry(glob: try RepositoryGlob(pattern), rules: rules))
        }
        self.entries = entries.sorted { a, b in
            let (x, y) = (a.glob.specificity, b.glob.specificity)
            if x.length != y.length { return x.length > y.length }
            if x.literals != y.literals { return x.literals > y.literals }
            return a.glob.pattern < b.glob.pattern
        }
        admin = config.adminPolicy
        var groupsByUser: [String: [String]] = [:]
        for (group, members) in config.groups {
            for user in members { groupsByUser[user, default: []].append(group) }
        }
        self.groupsByUser = groupsByUser.mapValues { $0.sorted() }
        metrics = config.metrics
        grantsAnonymousAccess = config.grantsAnonymousAccess
        grantsSignedInAccess = config.grantsSignedInAccess
    }

    /// The groups `user` belongs to under `accessControl.groups`.
    public func groups(of user: String) -> [String] {
        groupsByUser[user] ?? []
    }

    /// The pattern that decides for `repository`, if any matches.
    public func decidingPattern(for repository: String) -> String? {
        entries.first { $0.glob.matches(repository) }?.glob.pattern
    }

    /// Whether `identity` may do `action` on `repository` under these rules alone (API key scopes and
    /// bearer tokens are `Authorizer`'s business).
    public func allows(_ identity: Identity, _ action: RepositoryAction, on repository: String) -> Bool {
        if let entry = entries.first(where: { $0.glob.matches(repository) }),
            Self.rulesAllow(entry.rules, identity, action)
        {
            return true
        }
        return isAdmin(identity) && admin.actions.contains(action)
    }

    /// Whether `identity` is named by `adminPolicy`, by user or group.
    public func isAdmin(_ identity: Identity) -> Bool {
        guard !identity.isAnonymous else { return false }
        return admin.users.contains(identity.name) || identity.groups.contains(where: admin.groups.contains)
    }

    /// Whether `identity` may read `/metrics`, which names every repository: only the users listed in
    /// `accessControl.metrics.users`, and callers without credentials when its `anonymousPolicy` has `read`.
    /// With no users listed no signed-in user may, as in zot (`MetricsAuthzHandler`): access control is there
    /// to hide repositories, and the page would show them all.
    public func mayReadMetrics(_ identity: Identity) -> Bool {
        guard let metrics else { return false }
        if identity.isAnonymous { return metrics.anonymous }
        return metrics.users.contains(identity.name)
    }

    private static func rulesAllow(_ rules: RepositoryRules, _ identity: Identity, _ action: RepositoryAction) -> Bool {
        if identity.isAnonymous { return rules.anonymousPolicy.contains(action) }
        for rule in rules.policies where rule.actions.contains(action) {
            if rule.users.contains(identity.name) || identity.groups.contains(where: rule.groups.contains) {
                return true
            }
        }
        return rules.defaultPolicy.contains(action)
    }
}
