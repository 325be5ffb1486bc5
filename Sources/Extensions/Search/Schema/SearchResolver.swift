import Foundation
import GraphQL

/// Root value of the schema: each Query field forwards to the search index.
struct SearchResolver: Sendable {
    let queries: any SearchQueries

    func cveListForImage(context: SearchRequestContext, arguments: CVEListForImageArguments) async throws -> CVEResultForImage {
        try await reported { try await queries.cveListForImage(arguments, context: context) }
    }

    func cveDiffListForImages(context: SearchRequestContext, arguments: CVEDiffListForImagesArguments) async throws -> CVEDiffResult {
        try await reported { try await queries.cveDiffListForImages(arguments, context: context) }
    }

    func imageListForCVE(context: SearchRequestContext, arguments: ImageListForCVEArguments) async throws -> PaginatedImagesResult {
        try await reported { try await queries.imageListForCVE(arguments, context: context) }
    }

    func imageListWithCVEFixed(context: SearchRequestContext, arguments: ImageListWithCVEFixedArguments) async throws -> PaginatedImagesResult {
        try await reported { try await queries.imageListWithCVEFixed(arguments, context: context) }
    }

    func imageListForDigest(context: SearchRequestContext, arguments: ImageListForDigestArguments) async throws -> PaginatedImagesResult {
        try await reported { try await queries.imageListForDigest(arguments, context: context) }
    }

    func repoListWithNewestImage(context: SearchRequestContext, arguments: RepoListWithNewestImageArguments) async throws -> PaginatedReposResult {
        try await reported { try await queries.repoListWithNewestImage(arguments, context: context) }
    }

    func imageList(context: SearchRequestContext, arguments: ImageListArguments) async throws -> PaginatedImagesResult {
        try await reported { try await queries.imageList(arguments, context: context) }
    }

    func expandedRepoInfo(context: SearchRequestContext, arguments: ExpandedRepoInfoArguments) async throws -> RepoInfo {
        try await reported { try await queries.expandedRepoInfo(arguments, context: context) }
    }

    func globalSearch(context: SearchRequestContext, arguments: GlobalSearchArguments) async throws -> GlobalSearchResult {
        try await reported { try await queries.globalSearch(arguments, context: context) }
    }

    func derivedImageList(context: SearchRequestContext, arguments: DerivedImageListArguments) async throws -> PaginatedImagesResult {
        try await reported { try await queries.derivedImageList(arguments, context: context) }
    }

    func baseImageList(context: SearchRequestContext, arguments: BaseImageListArguments) async throws -> PaginatedImagesResult {
        try await reported { try await queries.baseImageList(arguments, context: context) }
    }

    func image(context: SearchRequestContext, arguments: ImageArguments) async throws -> ImageSummary {
        try await reported { try await queries.image(arguments, context: context) }
    }

    /// `[Referrer]!` in the SDL: the list is required, its items are declared nullable.
    func referrers(context: SearchRequestContext, arguments: ReferrersArguments) async throws -> [Referrer?] {
        try await reported { try await queries.referrers(arguments, context: context) }.withNullableElements
    }

    func starredRepos(context: SearchRequestContext, arguments: StarredReposArguments) async throws -> PaginatedReposResult {
        try await reported { try await queries.starredRepos(arguments, context: context) }
    }

    func bookmarkedRepos(context: SearchRequestContext, arguments: BookmarkedReposArguments) async throws -> PaginatedReposResult {
        try await reported { try await queries.bookmarkedRepos(arguments, context: context) }
    }

    /// GraphQL only attaches the field path to errors that are not already
    /// GraphQLErrors, and uses `String(describing:)` as the message; rewrapping
    /// every failure gives clients gqlgen's `{"message", "path"}` with a readable message.
    private func reported<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw ResolverFailure(error)
        }
    }
}

/// A resolver error carrying only the message to show the client.
struct ResolverFailure: Error, CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        if let failure = error as? ResolverFailure {
            description = failure.description
        } else if let graphQLError = error as? GraphQLError {
            description = graphQLError.message
        } else if let localized = error as? any LocalizedError, let text = localized.errorDescription {
            description = text
        } else {
            description = String(describing: error)
        }
    }
}
