import Foundation

extension IndexedSearch {
    func globalSearch(_ arguments: GlobalSearchArguments, context: SearchRequestContext) async throws -> GlobalSearchResult {
        let limit = GlobalSearchTarget.maximumLength
        guard arguments.query.utf8.count <= limit else {
            throw SearchError(
                "max string size limit exceeded for query parameter. max=\(limit) current=\(arguments.query.utf8.count) request parameter has invalid value")
        }
        for (name, values) in [("arch", arguments.filter?.arch), ("os", arguments.filter?.os)] {
            for value in values ?? [] where value.utf8.count > limit {
                throw SearchError(
                    "max string size limit exceeded for \(name) parameter. max=\(limit) current=\(value.utf8.count) request parameter has invalid value")
            }
        }
        try Pagination.checkGlobalSearch(arguments.requestedPage)
        let target = try GlobalSearchTarget(arguments.query)
        let pagination = try Pagination(arguments.requestedPage, defaultSort: .relevance)
        let filter = PlatformFilter(arguments.filter)
        switch target {
        case .repository(let text):
            return try await searchRepositories(text, filter: arguments.filter ?? Filter(), platforms: filter, pagination, context)
        case .image(let repository, let tagPrefix):
            let images = try readableImages(in: [repository], context).filter { $0.tag.hasPrefix(tagPrefix) }
            return try await imageResults(images, filter, arguments.filter?.hasToBeSigned == true, pagination, context)
        case .tag(let part):
            let images = try readableImages(in: nil, context).filter { $0.tag.lowercased().contains(part) }
            return try await imageResults(images, filter, arguments.filter?.hasToBeSigned == true, pagination, context)
        case .digest(let text):
            let views = try matching(readableImages(in: nil, context), context) { view, manifest in
                view.image.digest == text || manifest.digest.contains(text) || (manifest.configDigest ?? "").contains(text)
                    || manifest.layers.contains { $0.digest.contains(text) }
            }
            let accepted = try await views.asyncFilter {
                try await filter.accepts(images: $0, signed: arguments.filter?.hasToBeSigned == true, builder(context))
            }
            let result = try await page(accepted, pagination, context)
            return GlobalSearchResult(page: result.page, images: result.results, repos: nil, layers: [])
        }
    }

    private func imageResults(
        _ images: [TaggedImage], _ filter: PlatformFilter, _ signed: Bool, _ pagination: Pagination,
        _ context: SearchRequestContext
    ) async throws -> GlobalSearchResult {
        let builder = builder(context)
        let views = try await images.map(builder.view).asyncFilter { try await filter.accepts(images: $0, signed: signed, builder) }
        let result = try await page(views, pagination, context)
        return GlobalSearchResult(page: result.page, images: result.results, repos: nil, layers: [])
    }

    private func searchRepositories(
        _ text: String, filter: Filter, platforms: PlatformFilter, _ pagination: Pagination, _ context: SearchRequestContext
    ) async throws -> GlobalSearchResult {
        var ranked: [(RepositoryKeys, Int)] = []
        let ranking = RepositoryRank(text)
        for keys in try await repositoryKeys() where context.mayRead(keys.name) {
            if text.isEmpty {
                ranked.append((keys, 1))
            } else if let rank = ranking.rank(keys.name) {
                ranked.append((keys, rank))
            }
        }
        if filter.isStarred != nil || filter.isBookmarked != nil {
            let preferences = try await callerPreferences(context)
            ranked = ranked.filter { keys, _ in
                (filter.isStarred.map { $0 == preferences.starred.contains(keys.name) } ?? true)
                    && (filter.isBookmarked.map { $0 == preferences.bookmarked.contains(keys.name) } ?? true)
            }
        }
        if !platforms.isEmpty {
            let byRepository = try index.platformsByRepository()
            ranked = ranked.filter { platforms.accepts(byRepository[$0.0.name] ?? []) }
        }
        if filter.hasToBeSigned == true {
            // Signed means the newest image is: summarize the candidates to know it.
            let summaries = try await summaries(of: ranked, context)
            ranked = zip(ranked, summaries).filter { $1.newestImage?.isSigned == true }.map(\.0)
        }
        let result = try await repositoryPage(ranked, pagination, context)
        return GlobalSearchResult(page: result.page, images: [], repos: result.results, layers: [])
    }
}
