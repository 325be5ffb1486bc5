import Foundation
import Graphiti

/// The search extension's GraphQL schema, declared in the order of zot's
/// `schema.graphql` so printed SDL and introspection read the same.
enum SearchSchema {
    typealias Component = Graphiti.Component<SearchResolver, SearchRequestContext>
    typealias Context = SearchRequestContext

    /// Built once: schema construction walks every type and is not cheap.
    static let shared: Schema<SearchResolver, SearchRequestContext> = {
        do {
            return try make()
        } catch {
            // The declarations are static, so this only fires on a programming error.
            fatalError("search GraphQL schema is invalid: \(error)")
        }
    }()

    static func make() throws -> Schema<SearchResolver, SearchRequestContext> {
        try Schema<SearchResolver, SearchRequestContext>(coders: TimeScalar.coders()) {
            TimeScalar.component().description("A point in time as an RFC 3339 string.")
            cveResultForImage()
            imageIdentifier()
            cveDiffResult()
            cve()
            packageInfo()
            repoInfo()
            globalSearchResult()
            imageSummary()
            manifestSummary()
            imageVulnerabilitySummary()
            repoSummary()
            layerSummary()
            historyDescription()
            layerHistory()
            annotation()
            referrer()
            platform()
            signatureSummary()
            sortCriteria()
            pageInfo()
            pageInput()
            platformInput()
            imageInput()
            paginatedReposResult()
            paginatedImagesResult()
            filter()
            query()
        }
    }
}
