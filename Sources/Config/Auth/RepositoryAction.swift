/// What a request does to a repository, in zot's access-control vocabulary.
///
/// Every OCI endpoint maps to one of these: reads (`GET`, `HEAD`) are `read`; pushing blobs and new tags is
/// `create`; moving an existing tag to other content is `update`; `DELETE` is `delete`.
public enum RepositoryAction: String, Sendable, Hashable, CaseIterable, Comparable {
    case read
    case create
    case update
    case delete

    /// The action a docker token server grants for this one in a token's `access` claim (`pull`, `push`,
    /// `delete`), as zot maps them.
    public var tokenAction: String {
        switch self {
        case .read: "pull"
        case .create, .update: "push"
        case .delete: "delete"
        }
    }

    public static func < (lhs: RepositoryAction, rhs: RepositoryAction) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
