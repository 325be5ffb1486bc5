/// What a bearer token's `access` claim grants, per the docker token specification: entries of
/// `{type, name, actions}` such as `{"type": "repository", "name": "team/app", "actions": ["pull", "push"]}`.
public struct TokenGrants: Sendable, Hashable {
    /// One entry of the claim.
    public struct Entry: Sendable, Hashable, Codable {
        public var type: String
        public var name: String
        public var actions: [String]

        public init(type: String, name: String, actions: [String]) {
            self.type = type
            self.name = name
            self.actions = actions
        }
    }

    public let entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// Whether the token grants `permission`: an entry for exactly that repository with the matching token
    /// action (`pull`, `push`, `delete`) or `*`.
    public func allows(_ permission: Permission) -> Bool {
        let wanted = permission.action.tokenAction
        return entries.contains { entry in
            entry.type == "repository" && entry.name == permission.repository
                && (entry.actions.contains(wanted) || entry.actions.contains("*"))
        }
    }

    /// Whether the token may list the whole catalog: `registry:catalog:*`, or zot's legacy grant of `pull`
    /// on the repository with the empty name.
    public var allowsCatalog: Bool {
        entries.contains { entry in
            (entry.type == "registry" && entry.name == "catalog" && entry.actions.contains("*"))
                || (entry.type == "repository" && entry.name.isEmpty && entry.actions.contains("pull"))
        }
    }
}
