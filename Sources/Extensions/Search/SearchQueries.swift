/// What the search index answers; the GraphQL layer only forwards to it.
protocol SearchQueries: Sendable {
    func cveListForImage(_ arguments: CVEListForImageArguments, context: SearchRequestContext) async throws -> CVEResultForImage
    func cveDiffListForImages(_ arguments: CVEDiffListForImagesArguments, context: SearchRequestContext) async throws -> CVEDiffResult
    func imageListForCVE(_ arguments: ImageListForCVEArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult
    func imageListWithCVEFixed(_ arguments: ImageListWithCVEFixedArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult
    func imageListForDigest(_ arguments: ImageListForDigestArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult
    func repoListWithNewestImage(_ arguments: RepoListWithNewestImageArguments, context: SearchRequestContext) async throws -> PaginatedReposResult
    func imageList(_ arguments: ImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult
    func expandedRepoInfo(_ arguments: ExpandedRepoInfoArguments, context: SearchRequestContext) async throws -> RepoInfo
    func globalSearch(_ arguments: GlobalSearchArguments, context: SearchRequestContext) async throws -> GlobalSearchResult
    func derivedImageList(_ arguments: DerivedImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult
    func baseImageList(_ arguments: BaseImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult
    func image(_ arguments: ImageArguments, context: SearchRequestContext) async throws -> ImageSummary
    func referrers(_ arguments: ReferrersArguments, context: SearchRequestContext) async throws -> [Referrer]
    func starredRepos(_ arguments: StarredReposArguments, context: SearchRequestContext) async throws -> PaginatedReposResult
    func bookmarkedRepos(_ arguments: BookmarkedReposArguments, context: SearchRequestContext) async throws -> PaginatedReposResult
}
