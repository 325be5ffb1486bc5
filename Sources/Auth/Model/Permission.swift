import Config

/// One action on one repository: what a request needs to be allowed.
public struct Permission: Sendable, Hashable, CustomStringConvertible {
    /// The repository name, e.g. `team/app`.
    public var repository: String
    public var action: RepositoryAction

    public init(_ action: RepositoryAction, on repository: String) {
        self.action = action
        self.repository = repository
    }

    public var description: String { "\(action.rawValue) \(repository)" }
}
