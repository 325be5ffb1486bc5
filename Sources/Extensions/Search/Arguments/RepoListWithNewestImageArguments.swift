/// Arguments of `RepoListWithNewestImage`.
struct RepoListWithNewestImageArguments: Codable, Sendable, Equatable {
    var requestedPage: PageInput? = nil
}
