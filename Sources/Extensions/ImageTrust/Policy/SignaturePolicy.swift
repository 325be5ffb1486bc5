import Config

/// zotd's signature policy at pull (zot has none, its issue #247): in the repositories it names, a manifest is
/// served only once a trusted signature by the tool it names covers it. Pushes are never refused, so an image
/// can be pushed and then signed; signatures, referrers and blobs stay readable.
struct SignaturePolicy: Sendable, Equatable {
    /// Which signatures satisfy a policy.
    enum Tool: String, Sendable, Equatable {
        case cosign, notation, any

        func isSatisfied(by trusted: Set<String>) -> Bool {
            self == .any ? !trusted.isEmpty : trusted.contains(rawValue)
        }
    }

    /// Named in the 403 that refuses a pull.
    var name: String
    /// zot's access-control globs (`prod/**`).
    var repositories: [RepositoryGlob]
    var tool: Tool

    func covers(_ repository: String) -> Bool {
        repositories.contains { $0.matches(repository) }
    }

    init(name: String, repositories: [RepositoryGlob], tool: Tool) {
        self.name = name
        self.repositories = repositories
        self.tool = tool
    }

    /// `{"name": "prod-signed", "repositories": ["prod/**"], "tool": "cosign" | "notation" | "any"}`.
    init(reading value: JSONValue, at path: String) throws(ConfigError) {
        guard let name = value["name"]?.stringValue, !name.isEmpty else {
            throw .invalid(keyPath: "\(path).name", expected: "a name for the policy", got: value["name"]?.summary ?? "nothing")
        }
        guard let patterns = value["repositories"]?.arrayValue, !patterns.isEmpty else {
            throw .invalid(
                keyPath: "\(path).repositories", expected: "a list of repository patterns",
                got: value["repositories"]?.summary ?? "nothing")
        }
        var globs: [RepositoryGlob] = []
        for (index, pattern) in patterns.enumerated() {
            guard let text = pattern.stringValue, let glob = try? RepositoryGlob(text) else {
                throw .invalid(keyPath: "\(path).repositories[\(index)]", expected: "a repository pattern", got: pattern.summary)
            }
            globs.append(glob)
        }
        let toolName = value["tool"]?.stringValue ?? "any"
        guard let tool = Tool(rawValue: toolName) else {
            throw .invalid(keyPath: "\(path).tool", expected: "cosign, notation or any", got: toolName)
        }
        self.init(name: name, repositories: globs, tool: tool)
    }
}
