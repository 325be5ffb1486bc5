import Foundation

extension IndexedSearch {
    func expandedRepoInfo(_ arguments: ExpandedRepoInfoArguments, context: SearchRequestContext) async throws -> RepoInfo {
        guard context.mayRead(arguments.repo) else { return RepoInfo() }
        guard let keys = try await repositoryKeys(named: arguments.repo) else {
            guard try index.repositoryExists(arguments.repo) else { throw SearchError.repositoryUnknown }
            return RepoInfo(images: [], summary: nil)
        }
        let builder = builder(context)
        let views = try index.taggedImages(in: [arguments.repo]).map(builder.view)
        let deletable = context.mayDelete(arguments.repo)
        let images = try await Self.sorted(views, by: .updateTime).asyncMap {
            try await builder.imageSummary($0, isDeletable: deletable)
        }
        let summary = try await builder.repoSummary(
            keys, images: views, rank: 0, preferences: try await callerPreferences(context))
        return RepoInfo(images: images, summary: summary)
    }

    func repoListWithNewestImage(_ arguments: RepoListWithNewestImageArguments, context: SearchRequestContext) async throws
        -> PaginatedReposResult
    {
        let pagination = try Pagination(arguments.requestedPage, defaultSort: .updateTime)
        let keys = try await repositoryKeys().filter { context.mayRead($0.name) }
        return try await repositoryPage(keys.map { ($0, 1) }, pagination, context)
    }

    func starredRepos(_ arguments: StarredReposArguments, context: SearchRequestContext) async throws -> PaginatedReposResult {
        try await markedRepositories(.star, arguments.requestedPage, context)
    }

    func bookmarkedRepos(_ arguments: BookmarkedReposArguments, context: SearchRequestContext) async throws
        -> PaginatedReposResult
    {
        try await markedRepositories(.bookmark, arguments.requestedPage, context)
    }

    private func markedRepositories(_ mark: UserMark, _ page: PageInput?, _ context: SearchRequestContext) async throws
        -> PaginatedReposResult
    {
        let pagination = try Pagination(page, defaultSort: .updateTime)
        guard let user = context.user else { return PaginatedReposResult(page: PageInfo(totalCount: 0, itemCount: 0)) }
        let marked = try await preferences.repositories(mark, user: user)
        let listed = Dictionary(uniqueKeysWithValues: try await repositoryKeys().map { ($0.name, $0) })
        // A marked repository without images is still listed, with nothing newest.
        let keys = marked.sorted().filter { context.mayRead($0) }.map {
            listed[$0] ?? RepositoryKeys(name: $0, lastUpdated: nil, downloadCount: 0, starCount: 0)
        }
        return try await repositoryPage(keys.map { ($0, 0) }, pagination, context)
    }

    /// Sorts and cuts repositories by their keys, then summarizes only the page.
    func repositoryPage(_ ranked: [(RepositoryKeys, Int)], _ pagination: Pagination, _ context: SearchRequestContext)
        async throws -> PaginatedReposResult
    {
        let (page, items) = pagination.cut(Self.sorted(ranked, by: pagination.sort))
        let summaries = try await summaries(of: items, context)
        return PaginatedReposResult(page: page, results: summaries)
    }

    func summaries(of ranked: [(RepositoryKeys, Int)], _ context: SearchRequestContext) async throws -> [RepoSummary] {
        let builder = builder(context)
        let preferences = try await callerPreferences(context)
        let byRepository = Dictionary(grouping: try index.taggedImages(in: ranked.map(\.0.name)), by: \.image.repository)
        return try await ranked.asyncMap { keys, rank in
            let views = try (byRepository[keys.name] ?? []).map(builder.view)
            return try await builder.repoSummary(keys, images: views, rank: rank, preferences: preferences)
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
