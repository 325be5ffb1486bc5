/// Arguments of `StarredRepos`.
struct StarredReposArguments: Codable, Sendable, Equatable {
    var requestedPage: PageInput? = nil
}
