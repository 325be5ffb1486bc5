import Foundation

/// What a GlobalSearch text asks for, as zot reads it.
enum GlobalSearchTarget: Equatable {
    case repository(String)
    /// `repo:tagPrefix`
    case image(repository: String, tagPrefix: String)
    /// `:tagPart`
    case tag(String)
    case digest(String)

    static let maximumLength = 256

    init(_ query: String) throws(SearchError) {
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines).trimmingSlashes.lowercased()
        if !text.contains(":") && !text.contains("@") {
            self = .repository(text)
        } else if text.hasPrefix("sha256:") {
            self = .digest(text)
        } else if let colon = text.firstIndex(of: ":") {
            let before = String(text[..<colon])
            let after = String(text[text.index(after: colon)...])
            if !before.isEmpty {
                guard !after.contains(":") else {
                    throw SearchError(
                        "failed to parse search text, invalid format invalid image reference format, use [repo:tag] or [repo@digest]")
                }
                self = .image(
                    repository: before.trimmingCharacters(in: .whitespaces), tagPrefix: after.trimmingCharacters(in: .whitespaces))
            } else if !after.isEmpty {
                self = .tag(after)
            } else {
                throw .invalidQuery
            }
        } else {
            throw .invalidQuery
        }
    }
}

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
            return try searchRepositories(text, filter: arguments.filter ?? Filter(), platforms: filter, pagination, context)
        case .image(let repository, let tagPrefix):
            let images = try readableImages(in: [repository], context).filter { $0.tag.hasPrefix(tagPrefix) }
            return try imageResults(images, filter, arguments.filter?.hasToBeSigned == true, pagination, context)
        case .tag(let part):
            let images = try readableImages(in: nil, context).filter { $0.tag.lowercased().contains(part) }
            return try imageResults(images, filter, arguments.filter?.hasToBeSigned == true, pagination, context)
        case .digest(let text):
            let views = try matching(readableImages(in: nil, context), context) { view, manifest in
                view.image.digest == text || manifest.digest.contains(text) || (manifest.configDigest ?? "").contains(text)
                    || manifest.layers.contains { $0.digest.contains(text) }
            }
            let accepted = try views.filter { try filter.accepts(images: $0, signed: arguments.filter?.hasToBeSigned == true, builder(context)) }
            let result = try page(accepted, pagination, context)
            return GlobalSearchResult(page: result.page, images: result.results, repos: nil, layers: [])
        }
    }

    private func imageResults(
        _ images: [TaggedImage], _ filter: PlatformFilter, _ signed: Bool, _ pagination: Pagination,
        _ context: SearchRequestContext
    ) throws -> GlobalSearchResult {
        let builder = builder(context)
        let views = try images.map(builder.view).filter { try filter.accepts(images: $0, signed: signed, builder) }
        let result = try page(views, pagination, context)
        return GlobalSearchResult(page: result.page, images: result.results, repos: nil, layers: [])
    }

    private func searchRepositories(
        _ text: String, filter: Filter, platforms: PlatformFilter, _ pagination: Pagination, _ context: SearchRequestContext
    ) throws -> GlobalSearchResult {
        var ranked: [(RepositoryKeys, Int)] = []
        for keys in try index.repositoryKeys() where context.mayRead(keys.name) {
            if text.isEmpty {
                ranked.append((keys, 1))
            } else if let rank = RepositoryRank.rank(text, keys.name) {
                ranked.append((keys, rank))
            }
        }
        if filter.isStarred != nil || filter.isBookmarked != nil {
            let preferences = try callerPreferences(context)
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
            let summaries = try summaries(of: ranked, context)
            ranked = zip(ranked, summaries).filter { $1.newestImage?.isSigned == true }.map(\.0)
        }
        let result = try repositoryPage(ranked, pagination, context)
        return GlobalSearchResult(page: result.page, images: [], repos: result.results, layers: [])
    }
}

/// zot's platform filter: some single platform must match both the OS list and the architecture list
/// (each ignored when empty), case-insensitively.
struct PlatformFilter: Sendable {
    let os: [String]
    let arch: [String]

    init(_ filter: Filter?) {
        let clean: ([String]?) -> [String] = { values in
            (values ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }
        os = clean(filter?.os)
        arch = clean(filter?.arch)
    }

    var isEmpty: Bool { os.isEmpty && arch.isEmpty }

    func accepts(_ platforms: Set<ZotPlatform>) -> Bool {
        if platforms.isEmpty { return isEmpty }
        return platforms.contains { platform in
            (os.isEmpty || os.contains(platform.os.lowercased())) && (arch.isEmpty || arch.contains(platform.arch.lowercased()))
        }
    }

    func accepts(images view: ImageView, signed: Bool, _ builder: SummaryBuilder) throws -> Bool {
        if signed, try builder.signatures(of: view.image.digest, in: view.repository).isEmpty { return false }
        let platforms = Set(view.manifests.map { view.platform(of: $0) }.filter { !($0.os ?? "").isEmpty || !($0.arch ?? "").isEmpty }
            .map { ZotPlatform(os: $0.os ?? "", arch: $0.arch ?? "") })
        return accepts(platforms)
    }
}
