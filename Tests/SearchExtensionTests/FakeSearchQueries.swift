import Foundation
@testable import SearchExtension

/// Returns fixed data and remembers the arguments it was called with.
final class FakeSearchQueries: SearchQueries, @unchecked Sendable {
    struct NotFound: Error, CustomStringConvertible {
        let description = "repository not found"
    }

    private let lock = NSLock()
    private var _globalSearch: [GlobalSearchArguments] = []
    private var _referrers: [ReferrersArguments] = []
    private var _imageList: [ImageListArguments] = []

    var globalSearchCalls: [GlobalSearchArguments] { lock.withLock { _globalSearch } }
    var referrersCalls: [ReferrersArguments] { lock.withLock { _referrers } }
    var imageListCalls: [ImageListArguments] { lock.withLock { _imageList } }

    static let image = ImageSummary(
        repoName: "a",
        tag: "1.0",
        digest: "sha256:abc",
        size: "1234",
        pushTimestamp: Date(timeIntervalSince1970: 1_700_000_000.5)
    )
    static let page = PageInfo(totalCount: 1, itemCount: 1)
    static let images = PaginatedImagesResult(page: page, results: [image])
    static let repos = PaginatedReposResult(page: page, results: [RepoSummary(name: "a")])

    func cveListForImage(_ arguments: CVEListForImageArguments, context: SearchRequestContext) async throws -> CVEResultForImage {
        CVEResultForImage(tag: "1.0", cveList: [], page: Self.page)
    }
    func cveDiffListForImages(_ arguments: CVEDiffListForImagesArguments, context: SearchRequestContext) async throws -> CVEDiffResult {
        CVEDiffResult(
            minuend: ImageIdentifier(repo: arguments.minuend.repo, tag: arguments.minuend.tag),
            subtrahend: ImageIdentifier(repo: arguments.subtrahend.repo, tag: arguments.subtrahend.tag)
        )
    }
    func imageListForCVE(_ arguments: ImageListForCVEArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult { Self.images }
    func imageListWithCVEFixed(_ arguments: ImageListWithCVEFixedArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult { Self.images }
    func imageListForDigest(_ arguments: ImageListForDigestArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult { Self.images }
    func repoListWithNewestImage(_ arguments: RepoListWithNewestImageArguments, context: SearchRequestContext) async throws -> PaginatedReposResult { Self.repos }
    func imageList(_ arguments: ImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult {
        lock.withLock { _imageList.append(arguments) }
        return Self.images
    }
    func expandedRepoInfo(_ arguments: ExpandedRepoInfoArguments, context: SearchRequestContext) async throws -> RepoInfo {
        throw NotFound()
    }
    func globalSearch(_ arguments: GlobalSearchArguments, context: SearchRequestContext) async throws -> GlobalSearchResult {
        lock.withLock { _globalSearch.append(arguments) }
        return GlobalSearchResult(page: Self.page, images: [Self.image], repos: [], layers: nil)
    }
    func derivedImageList(_ arguments: DerivedImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult { Self.images }
    func baseImageList(_ arguments: BaseImageListArguments, context: SearchRequestContext) async throws -> PaginatedImagesResult { Self.images }
    func image(_ arguments: ImageArguments, context: SearchRequestContext) async throws -> ImageSummary { Self.image }
    func referrers(_ arguments: ReferrersArguments, context: SearchRequestContext) async throws -> [Referrer] {
        lock.withLock { _referrers.append(arguments) }
        return [Referrer(mediaType: "application/vnd.oci.image.manifest.v1+json", size: 10, annotations: [Annotation(key: "k", value: "<v>")])]
    }
    func starredRepos(_ arguments: StarredReposArguments, context: SearchRequestContext) async throws -> PaginatedReposResult { Self.repos }
    func bookmarkedRepos(_ arguments: BookmarkedReposArguments, context: SearchRequestContext) async throws -> PaginatedReposResult { Self.repos }
}

extension SearchRequestContext {
    static let anonymous = SearchRequestContext(user: nil, mayRead: { _ in true }, mayDelete: { _ in false })
}
