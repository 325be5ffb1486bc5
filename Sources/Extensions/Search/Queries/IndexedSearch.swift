import Foundation

/// The search queries, answered from the index as zot's resolvers answer them.
struct IndexedSearch: SearchQueries {
    let index: SearchIndex
    let preferences: any UserPreferences
    let verdicts: any SignatureVerdicts

    func builder(_ context: SearchRequestContext) -> SummaryBuilder {
        SummaryBuilder(index: index, verdicts: verdicts, context: context)
    }

    func callerPreferences(_ context: SearchRequestContext) async throws -> CallerPreferences {
        guard let user = context.user else { return CallerPreferences() }
        return CallerPreferences(
            starred: try await preferences.repositories(.star, user: user),
            bookmarked: try await preferences.repositories(.bookmark, user: user))
    }

    /// Repositories with at least one image, with what they sort by, their stars included.
    func repositoryKeys() async throws -> [RepositoryKeys] {
        try await withStars(try index.repositoryKeys())
    }

    func repositoryKeys(named name: String) async throws -> RepositoryKeys? {
        try await withStars(try index.repositoryKeys(named: name).map { [$0] } ?? []).first
    }

    private func withStars(_ keys: [RepositoryKeys]) async throws -> [RepositoryKeys] {
        guard !keys.isEmpty else { return keys }
        let stars = try await preferences.starCounts()
        return keys.map { var keys = $0; keys.starCount = stars[keys.name] ?? 0; return keys }
    }

    // MARK: CVE: zotd has no scanner, and zot without one refuses these before reading their arguments.

    func cveListForImage(_ arguments: CVEListForImageArguments, context: SearchRequestContext) async throws -> CVEResultForImage {
        throw SearchError.cveSearchDisabled
    }

    func cveDiffListForImages(_ arguments: CVEDiffListForImagesArguments, context: SearchRequestContext) async throws -> CVEDiffResult {
        throw SearchError.cveSearchDisabled
    }

    func imageListForCVE(_ arguments: ImageListForCVEArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult {
        throw SearchError.cveSearchDisabled
    }

    func imageListWithCVEFixed(_ arguments: ImageListWithCVEFixedArguments, context: SearchRequestContext) async throws
        -> PaginatedImagesResult
    {
        throw SearchError.cveSearchDisabled
    }

    // MARK: Images

    func imageList(_ arguments: ImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult {
        let pagination = try Pagination(arguments.requestedPage, defaultSort: .relevance)
        let repositories = arguments.repo.isEmpty ? nil : [arguments.repo]
        let views = try readableImages(in: repositories, context).map(builder(context).view)
        return try await page(views, pagination, context)
    }

    func imageListForDigest(_ arguments: ImageListForDigestArguments, context: SearchRequestContext) async throws
        -> PaginatedImagesResult
    {
        let pagination = try Pagination(arguments.requestedPage, defaultSort: .relevance)
        let views = try matching(readableImages(in: nil, context), context) { view, manifest in
            view.image.digest == arguments.id || manifest.digest.contains(arguments.id)
                || (manifest.configDigest ?? "").contains(arguments.id)
                || manifest.layers.contains { $0.digest.contains(arguments.id) }
        }
        return try await page(views, pagination, context)
    }

    func image(_ arguments: ImageArguments, context: SearchRequestContext) async throws -> ImageSummary {
        let (repository, tag) = try Self.splitReference(arguments.image)
        guard context.mayRead(repository) else { return ImageSummary() }
        guard try index.repositoryExists(repository) else { throw SearchError.repositoryUnknown }
        guard let tagged = try index.taggedImage(tag, in: repository) else { throw SearchError.imageUnknown(repository, tag) }
        let builder = builder(context)
        return try await builder.imageSummary(try builder.view(tagged))
    }

    func referrers(_ arguments: ReferrersArguments, context: SearchRequestContext) async throws -> [Referrer] {
        guard context.mayRead(arguments.repo) else { return [] }
        try Self.checkDigest(arguments.digest)
        guard try index.repositoryExists(arguments.repo) else { throw SearchError.repositoryUnknown }
        return try builder(context).referrers(of: arguments.digest, in: arguments.repo, types: arguments.type)
    }

    // MARK: Helpers shared by the queries

    /// Tagged images of readable repositories.
    func readableImages(in repositories: [String]?, _ context: SearchRequestContext) throws -> [TaggedImage] {
        try index.taggedImages(in: repositories).filter { context.mayRead($0.image.repository) }
    }

    /// Images for which some manifest matches (an index keeps only its matching images, as zot returns it).
    func matching(
        _ images: [TaggedImage], _ context: SearchRequestContext, _ accepts: (ImageView, IndexedImage) -> Bool
    ) throws -> [ImageView] {
        let builder = builder(context)
        return try images.compactMap { tagged in
            let view = try builder.view(tagged)
            let kept = view.manifests.filter { accepts(view, $0) }
            guard !kept.isEmpty else { return nil }
            return view.image.isIndex ? ImageView(tagged: tagged, children: kept) : view
        }
    }

    /// Sorts, cuts and summarizes a page of images.
    func page(_ views: [ImageView], _ pagination: Pagination, _ context: SearchRequestContext) async throws
        -> PaginatedImagesResult
    {
        let (page, items) = pagination.cut(Self.sorted(views, by: pagination.sort))
        let builder = builder(context)
        return PaginatedImagesResult(page: page, results: try await items.asyncMap { try await builder.imageSummary($0) })
    }

    static func sorted(_ views: [ImageView], by sort: SortCriteria) -> [ImageView] {
        switch sort {
        case .alphabeticDsc:
            views.sorted { ($0.repository, $0.tagged.tag) > ($1.repository, $1.tagged.tag) }
        case .updateTime:
            views.sorted { ($0.lastUpdated ?? .distantPast) > ($1.lastUpdated ?? .distantPast) }
        case .downloads:
            views.sorted { $0.tagged.downloadCount > $1.tagged.downloadCount }
        default:
            views.sorted { ($0.repository, $0.tagged.tag) < ($1.repository, $1.tagged.tag) }
        }
    }

    /// `repo:tag`, split at the first colon as zot splits it.
    static func splitReference(_ image: String) throws(SearchError) -> (String, String) {
        guard let colon = image.firstIndex(of: ":") else { throw .noReference }
        let tag = String(image[image.index(after: colon)...])
        guard !tag.isEmpty else { throw .noReference }
        return (String(image[..<colon]), tag)
    }

    /// go-digest's validation, with zot's wording.
    static func checkDigest(_ digest: String) throws(SearchError) {
        let prefix = "bad digest string from request '\(digest)'"
        guard let colon = digest.firstIndex(of: ":") else { throw SearchError("\(prefix) invalid checksum digest format") }
        let algorithm = digest[..<colon]
        let encoded = digest[digest.index(after: colon)...]
        let lengths = ["sha256": 64, "sha384": 96, "sha512": 128]
        guard let length = lengths[String(algorithm)] else { throw SearchError("\(prefix) unsupported digest algorithm") }
        guard encoded.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw SearchError("\(prefix) invalid checksum digest format")
        }
        guard encoded.utf8.count == length else { throw SearchError("\(prefix) invalid checksum digest length") }
    }
}
