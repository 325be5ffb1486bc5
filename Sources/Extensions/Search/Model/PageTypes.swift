/// Size of the whole result set and of the returned page.
struct PageInfo: Sendable, Equatable {
    var totalCount: Int
    var itemCount: Int
}

/// One page of repositories.
struct PaginatedReposResult: Sendable, Equatable {
    var page: PageInfo?
    var results: [RepoSummary] = []
}

/// One page of images.
struct PaginatedImagesResult: Sendable, Equatable {
    var page: PageInfo?
    var results: [ImageSummary] = []
}

/// What GlobalSearch found; layer search is not implemented by zot either.
struct GlobalSearchResult: Sendable, Equatable {
    var page: PageInfo?
    var images: [ImageSummary]?
    var repos: [RepoSummary]?
    var layers: [LayerSummary]?
}
