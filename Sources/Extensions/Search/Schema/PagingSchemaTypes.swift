import Graphiti

extension SearchSchema {
    static func sortCriteria() -> Component {
        Enum(SortCriteria.self) {
            Value(.relevance).description("Best match for the search text first.")
            Value(.updateTime).description("Most recently updated first.")
            Value(.alphabeticAsc).description("By name, A to Z.")
            Value(.alphabeticDsc).description("By name, Z to A.")
            Value(.severity).description("Most severe CVE first.")
            Value(.stars).description("Most starred first.")
            Value(.downloads).description("Most downloaded first.")
        }
        .description("Orderings for paginated results; not every query supports every one.")
    }

    static func pageInfo() -> Component {
        Type(PageInfo.self) {
            Field("TotalCount", at: \.totalCount)
            Field("ItemCount", at: \.itemCount)
        }
        .description("Counts for the whole result set and for the returned page.")
    }

    static func pageInput() -> Component {
        Input(PageInput.self) {
            InputField("limit", at: \.limit)
            InputField("offset", at: \.offset)
            InputField("sortBy", at: \.sortBy)
        }
        .description("Which page to return; leaving everything out returns all results.")
    }

    static func platformInput() -> Component {
        Input(PlatformInput.self) {
            InputField("Os", at: \.os)
            InputField("Arch", at: \.arch)
        }
        .description("Operating system and architecture of an image.")
    }

    static func imageInput() -> Component {
        Input(ImageInput.self) {
            InputField("Repo", at: \.repo)
            InputField("Tag", at: \.tag)
            InputField("Digest", at: \.digest)
            InputField("Platform", at: \.platform)
        }
        .description("Names an image, optionally narrowed to a digest or platform.")
    }

    static func paginatedReposResult() -> Component {
        Type(PaginatedReposResult.self) {
            Field("Page", at: \.page)
            Field("Results", at: \.results)
        }
        .description("One page of repositories.")
    }

    static func paginatedImagesResult() -> Component {
        Type(PaginatedImagesResult.self) {
            Field("Page", at: \.page)
            Field("Results", at: \.results)
        }
        .description("One page of images.")
    }

    static func filter() -> Component {
        Input(Filter.self) {
            InputField("Os", at: \.os?.withNullableElements)
            InputField("Arch", at: \.arch?.withNullableElements)
            InputField("HasToBeSigned", at: \.hasToBeSigned)
            InputField("IsBookmarked", at: \.isBookmarked)
            InputField("IsStarred", at: \.isStarred)
        }
        .description("Restricts listings by platform, signature, bookmark or star.")
    }
}
