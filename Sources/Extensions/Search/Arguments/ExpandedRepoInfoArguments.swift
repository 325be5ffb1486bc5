/// Arguments of `ExpandedRepoInfo`.
struct ExpandedRepoInfoArguments: Codable, Sendable, Equatable {
    var repo: String
}
