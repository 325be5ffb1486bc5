import Foundation
import Testing

@testable import SearchExtension

/// How search reads what a client sends: the page, the search text, the URL, and zot's rank of names.
@Suite struct SearchInputTests {
    @Test func noLimitAndNoOffsetMeanEverything() throws {
        let pagination = try Pagination(PageInput(), defaultSort: .relevance)
        let (page, items) = pagination.cut(Array(1...5))
        #expect(items == [1, 2, 3, 4, 5])
        #expect(page == PageInfo(totalCount: 5, itemCount: 5))
    }

    @Test func anOffsetWithoutALimitIsAnEmptyPage() throws {
        let (page, items) = try Pagination(PageInput(offset: 2), defaultSort: .relevance).cut(Array(1...5))
        #expect(items.isEmpty)
        #expect(page == PageInfo(totalCount: 5, itemCount: 0))
    }

    @Test func aPageIsCutAfterTheOffset() throws {
        let (page, items) = try Pagination(PageInput(limit: 2, offset: 3), defaultSort: .relevance).cut(Array(1...5))
        #expect(items == [4, 5])
        #expect(page == PageInfo(totalCount: 5, itemCount: 2))
        #expect(try Pagination(PageInput(limit: Pagination.maximumLimit, offset: 1), defaultSort: .relevance).cut(Array(1...3)).items == [2, 3])
    }

    @Test func negativePagesAndUnsupportedSortsAreRefusedInZotsWords() {
        #expect(throws: SearchError("pagination limit has negative value")) {
            try Pagination(PageInput(limit: -1), defaultSort: .relevance)
        }
        #expect(throws: SearchError("pagination offset has negative value")) {
            try Pagination(PageInput(offset: -1), defaultSort: .relevance)
        }
        #expect(throws: SearchError("sorting repos by 'STARS' is not supported the pagination sort criteria is not supported")) {
            try Pagination(PageInput(sortBy: .stars), defaultSort: .relevance)
        }
    }

    @Test func globalSearchTextNamesARepositoryAnImageATagOrADigest() throws {
        #expect(try GlobalSearchTarget(" /Library/Alpine/ ") == .repository("library/alpine"))
        #expect(try GlobalSearchTarget("alpine:3") == .image(repository: "alpine", tagPrefix: "3"))
        #expect(try GlobalSearchTarget(":lat") == .tag("lat"))
        #expect(try GlobalSearchTarget("sha256:ab") == .digest("sha256:ab"))
        #expect(throws: SearchError.invalidQuery) { try GlobalSearchTarget(":") }
        #expect(throws: SearchError.invalidQuery) { try GlobalSearchTarget("repo@x") }
        #expect(throws: SearchError.self) { try GlobalSearchTarget("a:b:c") }
    }

    @Test func repositoryRankPrefersMatchesEarlyInTheLastComponent() {
        #expect(RepositoryRank.rank("foo/bar", "foo/bar") == 0)
        #expect(RepositoryRank.rank("bar", "foo/bar") == 1)
        #expect(RepositoryRank.rank("ar", "foo/bar") == 2)
        #expect(RepositoryRank.rank("foo", "foo/bar") == 10)
        #expect(RepositoryRank.rank("o/b", "foo/bar") == 300)
        #expect(RepositoryRank.rank("zzz", "foo/bar") == nil)
        #expect(RepositoryRank.rank("a/b/c", "a/b") == nil)
    }

    @Test func zliSendsTheQueryFormEncoded() throws {
        let request = try GraphQLRequest(urlQuery: "query=%7B+ImageList%28repo%3A+%22a+b%22%29+%7BPage%7BTotalCount%7D%7D%7D")
        #expect(request.query == "{ ImageList(repo: \"a b\") {Page{TotalCount}}}")
    }

    @Test func zuiSendsTheQueryAsItIsWithOnlySpacesAndQuotesEscaped() throws {
        let request = try GraphQLRequest(
            urlQuery: "query={GlobalSearch(query:%22alpine:3%22,%20requestedPage:%20{limit:9%20offset:0%20sortBy:RELEVANCE})%20{Images%20{RepoName%20Tag}}}")
        #expect(request.query == "{GlobalSearch(query:\"alpine:3\", requestedPage: {limit:9 offset:0 sortBy:RELEVANCE}) {Images {RepoName Tag}}}")
    }

    @Test func aBodyThatIsNotJSONIsMalformedWhileAMissingQueryIsLeftToTheExecutor() throws {
        #expect(throws: GraphQLRequest.Failure.self) { try GraphQLRequest(jsonBody: Array("{ImageList}".utf8)) }
        #expect(throws: GraphQLRequest.Failure.self) { try GraphQLRequest(urlQuery: "query={a}&variables=[1]") }
        #expect(try GraphQLRequest(urlQuery: nil).query == "")
        #expect(try GraphQLRequest(jsonBody: Array("{\"variables\":{}}".utf8)).query == "")
    }

    @Test func anAbsurdPageSizeIsRefused() {
        #expect(throws: SearchError("pagination limit 1000000 is larger than the maximum of 10000")) {
            try Pagination(PageInput(limit: 1_000_000), defaultSort: .relevance)
        }
    }

    @Test func aPostCarriesVariablesAndTheOperationName() throws {
        let body = #"{"query":"query Q($r: String!){ImageList(repo:$r){Page{TotalCount}}}","variables":{"r":"app"},"operationName":"Q"}"#
        let request = try GraphQLRequest(jsonBody: Array(body.utf8))
        #expect(request.variables["r"] == .string("app"))
        #expect(request.operationName == "Q")
    }

    @Test func onlyExactCosignSignatureTagsAndFallbackTagsAreHidden() {
        let hex = String(repeating: "a", count: 64)
        #expect(SignatureTag.isHidden("sha256-\(hex).sig"))
        #expect(SignatureTag.isHidden("sha256-\(hex)"))
        #expect(!SignatureTag.isHidden("sha256-\(hex).att"))
        #expect(!SignatureTag.isHidden("sha256-\(hex).sbom"))
        #expect(!SignatureTag.isHidden("v1.sig"))
    }
}
