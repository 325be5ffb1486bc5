import Foundation

extension IndexedSearch {
    func expandedRepoInfo(_ arguments: ExpandedRepoInfoArguments, context: SearchRequestContext) async throws -> RepoInfo {
        guard context.mayRead(arguments.repo) else { return RepoInfo() }
        guard let keys = try index.repositoryKeys(named: arguments.repo) else {
            guard try index.repositoryExists(arguments.repo) else { throw SearchError.repositoryUnknown }
            return RepoInfo(images: [], summary: nil)
        }
        let builder = builder(context)
        let views = try index.taggedImages(in: [arguments.repo]).map(builder.view)
        let deletable = context.mayDelete(arguments.repo)
        let images = try Self.sorted(views, by: .updateTime).map { try builder.imageSummary($0, isDeletable: deletable) }
        let summary = try builder.repoSummary(keys, images: views, rank: 0, preferences: try callerPreferences(context))
        return RepoInfo(images: images, summary: summary)
    }

    func repoListWithNewestImage(_ arguments: RepoListWithNewestImageArguments, context: SearchRequestContext) async throws
        -> PaginatedReposResult
    {
        let pagination = try Pagination(arguments.requestedPage, defaultSort: .updateTime)
        let keys = try index.repositoryKeys().filter { context.mayRead($0.name) }
        return try repositoryPage(keys.map { ($0, 1) }, pagination, context)
    }

    func starredRepos(_ arguments: StarredReposArguments, context: SearchRequestContext) async throws -> PaginatedReposResult {
        try markedRepositories(.star, arguments.requestedPage, context)
    }

    func bookmarkedRepos(_ arguments: BookmarkedReposArguments, context: SearchRequestContext) async throws
        -> PaginatedReposResult
    {
        try markedRepositories(.bookmark, arguments.requestedPage, context)
    }

    private func markedRepositories(_ mark: UserMark, _ page: PageInput?, _ context: SearchRequestContext) throws
        -> PaginatedReposResult
    {
        let pagination = try Pagination(page, defaultSort: .updateTime)
        guard let user = context.user else { return PaginatedReposResult(page: PageInfo(totalCount: 0, itemCount: 0)) }
        let marked = try preferences.repositories(mark, user: user)
        let listed = Dictionary(uniqueKeysWithValues: try index.repositoryKeys().map { ($0.name, $0) })
        // A marked repository without images is still listed, with nothing newest.
        let keys = marked.sorted().filter { context.mayRead($0) }.map {
            listed[$0] ?? RepositoryKeys(name: $0, lastUpdated: nil, downloadCount: 0, starCount: 0)
        }
        return try repositoryPage(keys.map { ($0, 0) }, pagination, context)
    }

    /// Sorts and cuts repositories by their keys, then summarizes only the page.
    func repositoryPage(_ ranked: [(RepositoryKeys, Int)], _ pagination: Pagination, _ context: SearchRequestContext) throws
        -> PaginatedReposResult
    {
        let (page, items) = pagination.cut(Self.sorted(ranked, by: pagination.sort))
        let summaries = try summaries(of: items, context)
        return PaginatedReposResult(page: page, results: summaries)
    }

    func summaries(of ranked: [(RepositoryKeys, Int)], _ context: SearchRequestContext) throws -> [RepoSummary] {
        let builder = builder(context)
        let preferences = try callerPreferences(context)
        let byRepository = Dictionary(grouping: try index.taggedImages(in: ranked.map(\.0.name)), by: \.image.repository)
        return try ranked.map { keys, rank in
            let views = try (byRepository[keys.name] ?? []).map(builder.view)
            return try builder.repoSummary(keys, images: views, rank: rank, preferences: preferences)
        }
    }

    static func sorted(_ ranked: [(RepositoryKeys, Int)], by sort: SortCriteria) -> [(RepositoryKeys, Int)] {
        switch sort {
        case .relevance: ranked.sorted { $0.1 < $1.1 }
        case .alphabeticDsc: ranked.sorted { $0.0.name > $1.0.name }
        case .updateTime: ranked.sorted { ($0.0.lastUpdated ?? .distantPast) > ($1.0.lastUpdated ?? .distantPast) }
        case .downloads: ranked.sorted { $0.0.downloadCount > $1.0.downloadCount }
        default: ranked.sorted { $0.0.name < $1.0.name }
        }
    }
}
