import Config
import Testing

@testable import Auth

/// A config in the shape of zot's config-policy.json and config-anonymous-authz.json.
private let matrixConfig = AccessControlConfig(
    repositories: [
        "**": RepositoryRules(
            policies: [
                AccessRule(users: ["charlie"], groups: ["group1"], actions: [.read, .create, .update]),
                AccessRule(users: ["mary"], actions: [.read, .create, .update, .delete]),
            ],
            defaultPolicy: [.read], anonymousPolicy: [.read]),
        "tmp/**": RepositoryRules(defaultPolicy: [.read, .create, .update, .delete], anonymousPolicy: [.read, .create]),
        "infra/*": RepositoryRules(
            policies: [
                AccessRule(users: ["alice"], actions: [.read, .create, .update, .delete]),
                AccessRule(users: ["mallory"], actions: [.read, .create]),
            ],
            defaultPolicy: [.read]),
        "secret/**": RepositoryRules(policies: [AccessRule(users: ["alice"], actions: [.read])]),
    ],
    adminPolicy: AccessRule(users: ["admin"], groups: ["admins"], actions: [.read, .create, .update, .delete]),
    groups: ["group1": ["jack", "jane"], "admins": ["boss"]]
)

/// `r`, `c`, `u`, `d`: the actions each caller has on each repository; `-` for none.
private let matrix: [(user: String?, repository: String, allowed: String)] = [
    (nil, "app", "r"), (nil, "tmp/x/y", "rc"), (nil, "infra/db", "-"), (nil, "infra/db/sub", "r"),
    (nil, "secret/s", "-"),
    ("alice", "app", "r"), ("alice", "tmp/x", "rcud"), ("alice", "infra/db", "rcud"), ("alice", "secret/s", "r"),
    ("mallory", "app", "r"), ("mallory", "infra/db", "rc"), ("mallory", "secret/s", "-"), ("mallory", "tmp/x", "rcud"),
    ("charlie", "app", "rcu"), ("charlie", "infra/db", "r"), ("charlie", "infra/db/sub", "rcu"),
    ("charlie", "secret/s", "-"),
    ("jack", "app", "rcu"), ("jack", "infra/db", "r"), ("jane", "app", "rcu"),
    ("mary", "app", "rcud"), ("mary", "infra/db", "r"), ("mary", "secret/s", "-"),
    ("admin", "app", "rcud"), ("admin", "infra/db", "rcud"), ("admin", "secret/s", "rcud"), ("admin", "tmp/x", "rcud"),
    ("boss", "secret/s", "rcud"), ("boss", "infra/db", "rcud"),
    ("nobody", "app", "r"), ("nobody", "tmp/x", "rcud"), ("nobody", "infra/db", "r"), ("nobody", "secret/s", "-"),
]

private func letters(_ actions: [RepositoryAction]) -> String {
    let text = actions.sorted().map { String($0.rawValue.first!) }.joined()
    return text.isEmpty ? "-" : text
}

/// The policy matrix: every caller × repository × action, anonymous and admin included.
@Test(arguments: matrix)
func accessMatrix(user: String?, repository: String, allowed: String) throws {
    let policy = try AccessPolicy(matrixConfig)
    let identity =
        user.map { Identity(name: $0, groups: policy.groups(of: $0), method: .password) } ?? .anonymous
    let authorizer = Authorizer(policy: policy, requiresAuthentication: true)
    let granted = RepositoryAction.allCases.filter { authorizer.allows(identity, Permission($0, on: repository)) }
    #expect(letters(granted) == allowed, "\(identity) on \(repository)")
}

/// An API key's scopes narrow its owner's rights to the repositories they name; they never widen them.
@Test(arguments: [
    ("infra/db", "rcud"), ("app", "-"), ("infra/other", "rcud"), ("secret/s", "-"),
])
func apiKeyScopesNarrowTheUsersRights(repository: String, allowed: String) throws {
    let policy = try AccessPolicy(matrixConfig)
    let identity = Identity(name: "alice", method: .apiKey, scopes: [try RepositoryGlob("infra/*"), try RepositoryGlob("secret/x")])
    let authorizer = Authorizer(policy: policy, requiresAuthentication: true)
    let granted = RepositoryAction.allCases.filter { authorizer.allows(identity, Permission($0, on: repository)) }
    #expect(letters(granted) == allowed)
}

/// Bearer tokens bypass accessControl, as in zot: their `access` claim alone decides.
@Test(arguments: [
    ("app", "r"), ("team/app", "rcu"), ("team/old", "d"), ("other", "-"), ("all", "rcud"),
])
func bearerGrantsDecideForTokens(repository: String, allowed: String) throws {
    let grants = TokenGrants([
        .init(type: "repository", name: "app", actions: ["pull"]),
        .init(type: "repository", name: "team/app", actions: ["pull", "push"]),
        .init(type: "repository", name: "team/old", actions: ["delete"]),
        .init(type: "repository", name: "all", actions: ["*"]),
        .init(type: "registry", name: "other", actions: ["*"]),
    ])
    let identity = Identity(name: "ci", method: .bearer, grants: grants)
    let authorizer = Authorizer(policy: try AccessPolicy(matrixConfig), requiresAuthentication: true)
    let granted = RepositoryAction.allCases.filter { authorizer.allows(identity, Permission($0, on: repository)) }
    #expect(letters(granted) == allowed)
}

/// Without accessControl, signing in is all it takes; without any authentication, everyone may.
@Test func withoutAccessControlAuthenticationDecides() {
    let guarded = Authorizer(policy: nil, requiresAuthentication: true)
    let user = Identity(name: "u", method: .password)
    #expect(RepositoryAction.allCases.allSatisfy { guarded.allows(user, Permission($0, on: "x")) })
    #expect(!RepositoryAction.allCases.contains { guarded.allows(.anonymous, Permission($0, on: "x")) })
    #expect(RepositoryAction.allCases.allSatisfy { Authorizer.open.allows(.anonymous, Permission($0, on: "x")) })
}

/// `accessControl.metrics.users` limits /metrics to those users; its anonymousPolicy lets anonymous in.
@Test func metricsAccessFollowsTheMetricsRule() throws {
    var config = matrixConfig
    config.metrics = MetricsRule(users: ["metrics"])
    let limited = try AccessPolicy(config)
    #expect(limited.mayReadMetrics(Identity(name: "metrics", method: .password)))
    #expect(!limited.mayReadMetrics(Identity(name: "alice", method: .password)))
    #expect(!limited.mayReadMetrics(.anonymous))
    config.metrics = MetricsRule(anonymous: true)
    #expect(try AccessPolicy(config).mayReadMetrics(.anonymous))
}

/// With access control and no metrics users, nobody signed in reads /metrics (zot's MetricsAuthzHandler): the
/// page names repositories the access control hides.
@Test func metricsAreClosedUnderAccessControlWithoutMetricsUsers() throws {
    var config = matrixConfig
    for rule in [nil, MetricsRule()] {
        config.metrics = rule
        let policy = try AccessPolicy(config)
        #expect(!policy.mayReadMetrics(Identity(name: "alice", method: .password)))
        #expect(!policy.mayReadMetrics(Identity(name: "admin", method: .password)))
        #expect(!policy.mayReadMetrics(.anonymous))
    }
}

/// A bearer token reads /metrics only with the catalog grant, which already shows every repository.
@Test func bearerTokensNeedTheCatalogGrantForMetrics() {
    let authorizer = Authorizer(policy: nil, requiresAuthentication: true)
    let repositoryOnly = Identity(name: "t", method: .bearer, grants: TokenGrants([.init(type: "repository", name: "a", actions: ["pull"])]))
    let catalog = Identity(name: "t", method: .bearer, grants: TokenGrants([.init(type: "registry", name: "catalog", actions: ["*"])]))
    #expect(!authorizer.mayReadMetrics(repositoryOnly))
    #expect(authorizer.mayReadMetrics(catalog))
}
