import Graphiti

extension SearchSchema {
    static func repoInfo() -> Component {
        Type(RepoInfo.self) {
            Field("Images", at: \.images?.withNullableElements)
            Field("Summary", at: \.summary)
        }
        .description("A repository together with its images.")
    }

    static func globalSearchResult() -> Component {
        Type(GlobalSearchResult.self) {
            Field("Page", at: \.page)
            Field("Images", at: \.images?.withNullableElements)
            Field("Repos", at: \.repos?.withNullableElements)
            Field("Layers", at: \.layers?.withNullableElements)
        }
        .description("Repositories, images and layers matching a search.")
    }

    static func repoSummary() -> Component {
        Type(RepoSummary.self) {
            Field("Name", at: \.name)
            Field("LastUpdated", at: \.lastUpdated)
            Field("Size", at: \.size)
            Field("Platforms", at: \.platforms?.withNullableElements)
            Field("Vendors", at: \.vendors?.withNullableElements)
            Field("NewestImage", at: \.newestImage)
            Field("DownloadCount", at: \.downloadCount)
            Field("StarCount", at: \.starCount)
            Field("IsBookmarked", at: \.isBookmarked)
            Field("IsStarred", at: \.isStarred)
            Field("Rank", at: \.rank)
        }
        .description("Overview of a repository as shown in listings.")
    }
}
