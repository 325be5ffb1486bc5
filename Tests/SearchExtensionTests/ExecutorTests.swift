import Foundation
import GraphQL
import Testing
@testable import SearchExtension

@Suite struct ExecutorTests {
    let fake = FakeSearchQueries()

    func run(_ query: String, variables: [String: Map] = [:], limits: QueryLimits = QueryLimits()) async -> (GraphQLResult, String) {
        var executor = GraphQLExecutor(queries: fake)
        executor.limits = limits
        let result = await executor.execute(query: query, variables: variables, operationName: nil, context: .anonymous)
        return (result, String(decoding: GQLGenResponse.encode(result), as: UTF8.self))
    }

    @Test func imageListAnswersLikeZot() async {
        let (_, json) = await run(#"{ ImageList(repo:"a"){ Results{ RepoName Tag Size PushTimestamp } Page{TotalCount ItemCount} } }"#)
        #expect(json == #"{"data":{"ImageList":{"Results":[{"RepoName":"a","Tag":"1.0","Size":"1234","PushTimestamp":"2023-11-14T22:13:20.5Z"}],"Page":{"TotalCount":1,"ItemCount":1}}}}"#)
        #expect(fake.imageListCalls == [ImageListArguments(repo: "a", requestedPage: nil)])
    }

    @Test func singleScalarIsCoercedToListInLiteral() async {
        let (result, _) = await run(#"{ GlobalSearch(query:"a", filter:{Os:"linux"}, requestedPage:{limit:2, sortBy:UPDATE_TIME}){ Page{TotalCount} } }"#)
        #expect(result.errors.isEmpty)
        let call = fake.globalSearchCalls.first
        #expect(call?.filter?.os == ["linux"])
        #expect(call?.filter?.arch == nil)
        #expect(call?.requestedPage == PageInput(limit: 2, offset: nil, sortBy: .updateTime))
    }

    @Test func singleScalarIsCoercedToListInVariables() async {
        let (result, _) = await run(
            #"query($f: Filter){ GlobalSearch(query:"a", filter:$f){ Page{TotalCount} } }"#,
            variables: ["f": ["Os": "linux", "Arch": ["amd64", "arm64"]]]
        )
        #expect(result.errors.isEmpty)
        #expect(fake.globalSearchCalls.first?.filter == Filter(os: ["linux"], arch: ["amd64", "arm64"]))
    }

    @Test func referrersTypeAcceptsSingleString() async {
        let (_, json) = await run(#"{ Referrers(repo:"a", digest:"sha256:abc", type:"sig"){ MediaType Size Annotations{Key Value} } }"#)
        #expect(fake.referrersCalls.first?.type == ["sig"])
        #expect(json == #"{"data":{"Referrers":[{"MediaType":"application/vnd.oci.image.manifest.v1+json","Size":10,"Annotations":[{"Key":"k","Value":"\u003cv\u003e"}]}]}}"#)
    }

    @Test func cveDiffTakesImageInputs() async {
        let (_, json) = await run(#"{ CVEDiffListForImages(minuend:{Repo:"a",Tag:"1",Platform:{Os:"linux"}}, subtrahend:{Repo:"b",Tag:"2"}){ Minuend{Repo Tag} Subtrahend{Repo} } }"#)
        #expect(json == #"{"data":{"CVEDiffListForImages":{"Minuend":{"Repo":"a","Tag":"1"},"Subtrahend":{"Repo":"b"}}}}"#)
    }

    @Test func resolverErrorGivesErrorsAndNullData() async {
        let (_, json) = await run(#"{ ExpandedRepoInfo(repo:"missing"){ Summary{Name} } }"#)
        #expect(json == #"{"errors":[{"message":"repository not found","path":["ExpandedRepoInfo"]}],"data":null}"#)
    }

    @Test func tooDeepQueryIsRejected() async {
        var limits = QueryLimits()
        limits.maxDepth = 3
        let (result, json) = await run(#"{ GlobalSearch(query:"a"){ Repos{ NewestImage{ Tag } } } }"#, limits: limits)
        #expect(result.data == nil)
        #expect(json.contains("maximum query depth of 3"))
        let (ok, _) = await run(#"{ GlobalSearch(query:"a"){ Repos{ Name } } }"#, limits: limits)
        #expect(ok.errors.isEmpty)
    }

    @Test func depthCountsFieldsInsideFragments() async {
        // The schema has no cycles deep enough to pass the default limit, so a lower
        // limit shows that fields reached through a fragment spread count too.
        var limits = QueryLimits()
        limits.maxDepth = 4
        let query = #"{ GlobalSearch(query:"a"){ ...R } } fragment R on GlobalSearchResult { Repos{ NewestImage{ Referrers{ Digest } } } }"#
        let (result, _) = await run(query, limits: limits)
        #expect(result.errors.map(\.message) == ["operation exceeds the maximum query depth of 4"])
    }

    @Test func tooManyFieldsAreRejected() async {
        var limits = QueryLimits()
        limits.maxSelectedFields = 10
        let query = """
        { a: Image(image:"a:1"){ ...F } b: Image(image:"a:1"){ ...F } }
        fragment F on ImageSummary { RepoName Tag Digest MediaType Size }
        """
        let (result, json) = await run(query, limits: limits)
        #expect(result.data == nil)
        #expect(json.contains("more than the maximum of 10 fields"))
    }

    @Test func multiplyingFragmentsDoNotOverflow() async {
        var query = #"{ Image(image:"a:1"){ ...F0 } } fragment F0 on ImageSummary { Tag }"#
        for level in 1...60 {
            query += " fragment F\(level) on ImageSummary { ...F\(level - 1) ...F\(level - 1) }"
        }
        query = query.replacingOccurrences(of: "{ ...F0 } }", with: "{ ...F60 } }")
        let (result, _) = await run(query)
        #expect(result.errors.contains { $0.message.contains("fields") })
    }

    @Test func oversizedDocumentIsRejected() async {
        let query = "{ Image(image:\"" + String(repeating: "x", count: 70 * 1024) + "\"){ Tag } }"
        let (result, json) = await run(query)
        #expect(result.errors.count == 1)
        #expect(json.hasSuffix(#""data":null}"#))
    }

    @Test func deeplyNestedDocumentIsRejectedWithoutParsing() async {
        let query = String(repeating: "{a", count: 20_000) + String(repeating: "}", count: 20_000)
        let (result, _) = await run(query)
        #expect(result.errors.first?.message.contains("nests deeper") == true)
        let lists = #"{ Referrers(repo:"a", digest:"b", type:"# + String(repeating: "[", count: 5000) + "\"x\"" + String(repeating: "]", count: 5000) + "){ Size } }"
        let (listResult, _) = await run(lists)
        #expect(listResult.errors.count == 1)
    }

    @Test func syntaxErrorIsAnErrorNotACrash() async {
        let (result, json) = await run("{ ImageList(")
        #expect(result.errors.count == 1)
        #expect(json.contains("GRAPHQL_PARSE_FAILED"))
        #expect(json.contains("\"locations\":[{\"line\":1"))
    }

    @Test func standardIntrospectionQueryPassesDefaultLimits() async {
        let (result, _) = await run(Self.introspectionQuery)
        #expect(result.errors.isEmpty, "\(result.errors)")
    }

    /// graphql-js's getIntrospectionQuery(), which GraphiQL and zui's tooling send.
    static let introspectionQuery = """
    query IntrospectionQuery {
      __schema {
        queryType { name } mutationType { name } subscriptionType { name }
        types { ...FullType }
        directives { name description locations args { ...InputValue } }
      }
    }
    fragment FullType on __Type {
      kind name description
      fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
      inputFields { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
    fragment TypeRef on __Type {
      kind name
      ofType { kind name ofType { kind name ofType { kind name ofType { kind name
        ofType { kind name ofType { kind name ofType { kind name } } } } } } }
    }
    """
}
