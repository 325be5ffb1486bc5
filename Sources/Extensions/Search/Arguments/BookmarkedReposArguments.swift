/// Arguments of `BookmarkedRepos`.
struct BookmarkedReposArguments: Codable, Sendable, Equatable {
    var requestedPage: PageInput? = nil
}
