import Auth
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// `GET /v2/<name>/tags/list` and `GET /v2/_catalog`, both paginated with `n` and `last`.
struct ListingRoutes {
    let store: RegistryStore

    private struct TagList: Encodable {
        var name: String
        var tags: [String]
    }

    private struct Catalog: Encodable {
        var repositories: [String]
    }

    func tags(_ request: Request, name: String) async throws -> Response {
        let repository = try PathPart.repository(name)
        let page = try Page(request)
        let tags = try await store.tags(in: repository, after: page.last, limit: page.fetchLimit)
        let (items, link) = page.split(tags, path: "/v2/\(repository)/tags/list")
        return try JSONResponse.make(TagList(name: repository.value, tags: items), headers: link)
    }

    /// Lists only the repositories `caller` may read; pages still hold `n` of them. A bearer token with the
    /// catalog grant sees them all, as the token server decided.
    func catalog(_ request: Request, for caller: Caller) async throws -> Response {
        let page = try Page(request)
        let repositories: [String]
        let everything = caller.mayReadEveryRepository || (caller.identity.method == .bearer && caller.mayListCatalog)
        if !everything {
            repositories = try await visibleRepositories(after: page.last, limit: page.fetchLimit) { caller.may(.read, on: $0) }
        } else {
            repositories = try await store.repositories(after: page.last, limit: page.fetchLimit)
        }
        let (items, link) = page.split(repositories, path: "/v2/_catalog")
        return try JSONResponse.make(Catalog(repositories: items), headers: link)
    }

    /// Up to `limit` repositories after `last` that `visible` accepts, read in batches.
    private func visibleRepositories(after last: String?, limit: Int?, _ visible: (String) -> Bool) async throws -> [String] {
        let batch = max(limit ?? 0, 500)
        var found: [String] = []
        var cursor = last
        while limit.map({ found.count < $0 }) ?? true {
            let names = try await store.repositories(after: cursor, limit: batch)
            for name in names where visible(name) {
                found.append(name)
                if let limit, found.count == limit { return found }
            }
            guard names.count == batch, let next = names.last else { break }
            cursor = next
        }
        return found
    }
}

/// One page of a listing: `n` items after `last`, and a `Link` to the next page when more remain.
struct Page {
    var size: Int?
    var last: String?

    init(_ request: Request) throws {
        last = request.query("last")
        if let n = request.query("n") {
            guard let value = Int(n), value >= 0 else {
                throw OCIError(.unsupported, detail: "n must be a non-negative integer", status: .badRequest)
            }
            size = value
        }
    }

    /// One more than the page size, to learn whether another page follows (`n=9223372036854775807` asks for
    /// everything: adding one would trap).
    var fetchLimit: Int? { size.map { $0 == .max ? $0 : $0 + 1 } }

    func split(_ fetched: [String], path: String) -> ([String], HTTPFields) {
        guard let size, fetched.count > size else { return (fetched, [:]) }
        let items = Array(fetched.prefix(size))
        guard let lastItem = items.last else { return (items, [:]) }
        let escaped = lastItem.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? lastItem
        return (items, [.link: "<\(path)?n=\(size)&last=\(escaped)>; rel=\"next\""])
    }
}
