import Foundation

/// A resolver's refusal, worded as zot words it: clients (zui) show the message as it comes.
struct SearchError: Error, Equatable, CustomStringConvertible, LocalizedError {
    let description: String
    var errorDescription: String? { description }

    init(_ message: String) { description = message }

    static let cveSearchDisabled = SearchError("cve search is disabled")
    static let noReference = SearchError("no reference provided")
    static let repositoryUnknown = SearchError("repo metadata not found for given repo name")
    static let repositoryNotFound = SearchError("repository not found")
    static let invalidQuery = SearchError("invalid search query")
    static func imageUnknown(_ repository: String, _ tag: String) -> SearchError {
        SearchError("can't find image: \(repository):\(tag)")
    }
    static func imageMetaUnknown(_ digest: String) -> SearchError {
        SearchError("image meta not found for digest \(digest)")
    }
}
