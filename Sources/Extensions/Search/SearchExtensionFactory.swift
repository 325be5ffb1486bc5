import Config
import Registry

/// Builds the search extension from `extensions.search`: `{"enable": true, "cve": {...}}`. zotd has no
/// vulnerability scanner: a `cve` section is accepted and the CVE queries answer as zot does without one.
public struct SearchExtensionFactory: RegistryExtensionFactory {
    public let label = "search"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        let database = try SearchDatabase(path: SearchDatabase.path(rootDirectory: context.config.storage.rootDirectory))
        let index = SearchIndex(database: database)
        let indexer = ImageIndexer(store: context.store, index: index, logger: context.logger)
        let follower = context.store.changeFeed.map {
            SharedChangeFollower(feed: $0, indexer: indexer, logger: context.logger)
        }
        let updates = IndexUpdates(indexer: indexer, follower: follower, logger: context.logger)
        let shared = context.store.sharedMetadata
        let queries = IndexedSearch(
            index: index, preferences: StarsAndBookmarks.open(shared: shared) { database },
            verdicts: openSignatureVerdicts(shared: shared) { database })
        return SearchExtension(updates: updates, endpoint: SearchEndpoint(executor: GraphQLExecutor(queries: queries), updates: updates))
    }
}
