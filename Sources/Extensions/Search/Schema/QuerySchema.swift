import Graphiti

extension SearchSchema {
    static func query() -> Component {
        Query {
            Field("CVEListForImage", at: SearchResolver.cveListForImage) {
                Argument("image", at: \.image).description("`repo:tag` or `repo@digest`.")
                Argument("requestedPage", at: \.requestedPage)
                Argument("searchedCVE", at: \.searchedCVE).description("Keep CVEs whose id or title contains this.")
                Argument("excludedCVE", at: \.excludedCVE).description("Drop CVEs whose id or title contains this.")
                Argument("severity", at: \.severity).description("Keep only CVEs of this severity.")
            }
            .description("CVEs affecting an image.")

            Field("CVEDiffListForImages", at: SearchResolver.cveDiffListForImages) {
                Argument("minuend", at: \.minuend).description("The image whose CVEs are listed.")
                Argument("subtrahend", at: \.subtrahend).description("The image whose CVEs are removed from the list.")
                Argument("requestedPage", at: \.requestedPage)
                Argument("searchedCVE", at: \.searchedCVE).description("Keep CVEs whose id or title contains this.")
                Argument("excludedCVE", at: \.excludedCVE).description("Drop CVEs whose id or title contains this.")
            }
            .description("CVEs of one image that another image does not have.")

            Field("ImageListForCVE", at: SearchResolver.imageListForCVE) {
                Argument("id", at: \.id).description("A CVE id.")
                Argument("filter", at: \.filter)
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Images affected by a CVE.")

            Field("ImageListWithCVEFixed", at: SearchResolver.imageListWithCVEFixed) {
                Argument("id", at: \.id).description("A CVE id.")
                Argument("image", at: \.image).description("A repository name.")
                Argument("filter", at: \.filter)
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Images of a repository that are no longer affected by a CVE.")

            Field("ImageListForDigest", at: SearchResolver.imageListForDigest) {
                Argument("id", at: \.id).description("A manifest, config or layer digest.")
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Images containing a digest.")

            Field("RepoListWithNewestImage", at: SearchResolver.repoListWithNewestImage) {
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Repositories, each with its most recently created image.")

            Field("ImageList", at: SearchResolver.imageList) {
                Argument("repo", at: \.repo).description("A repository name; empty for every repository.")
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Images of a repository.")

            Field("ExpandedRepoInfo", at: SearchResolver.expandedRepoInfo) {
                Argument("repo", at: \.repo).description("A repository name.")
            }
            .description("A repository with all of its images.")

            Field("GlobalSearch", at: SearchResolver.globalSearch) {
                Argument("query", at: \.query).description("Repository name text, or `repo:tag` text to search tags.")
                Argument("filter", at: \.filter)
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Searches repositories and images.")

            Field("DerivedImageList", at: SearchResolver.derivedImageList) {
                Argument("image", at: \.image).description("`repo:tag`.")
                Argument("digest", at: \.digest).description("One manifest of the image; nil for all of them.")
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Images built on top of an image.")

            Field("BaseImageList", at: SearchResolver.baseImageList) {
                Argument("image", at: \.image).description("`repo:tag`.")
                Argument("digest", at: \.digest).description("One manifest of the image; nil for all of them.")
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Images that an image is built on top of.")

            Field("Image", at: SearchResolver.image) {
                Argument("image", at: \.image).description("`repo:tag`.")
            }
            .description("One image by name.")

            Field("Referrers", at: SearchResolver.referrers) {
                Argument("repo", at: \.repo).description("A repository name.")
                Argument("digest", at: \.digest).description("The subject digest.")
                Argument("type", at: \.type).description("Keep only these artifact types.")
            }
            .description("Manifests in a repository whose subject is a digest.")

            Field("StarredRepos", at: SearchResolver.starredRepos) {
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Repositories the caller starred.")

            Field("BookmarkedRepos", at: SearchResolver.bookmarkedRepos) {
                Argument("requestedPage", at: \.requestedPage)
            }
            .description("Repositories the caller bookmarked.")
        }
    }
}
