/// Who is asking, for access control and per-user fields (IsStarred, IsDeletable).
struct SearchRequestContext: Sendable {
    /// The signed-in user, nil for anonymous callers.
    let user: String?
    let mayRead: @Sendable (String) -> Bool
    let mayDelete: @Sendable (String) -> Bool
}
