import Foundation
import Hummingbird
import Registry
import SearchExtension
import Storage

/// `PUT /v2/_zot/ext/userprefs?repo=R&action=toggleStar|toggleBookmark`: a signed-in user's stars and
/// bookmarks, which search shows (zui's star and bookmark buttons). The body is ignored (zui sends `{}`).
struct UserprefsExtension: RegistryExtension {
    /// The endpoint, as discover lists it.
    static let path = "/v2/_zot/ext/userprefs"

    let marks: StarsAndBookmarks
    let store: RegistryStore

    var endpoints: [String] { [Self.path] }

    func addRoutes(to routes: GuardedRoutes) {
        // Anyone who may call /v2/ reaches it; an anonymous caller is then refused with 403, as zot does.
        routes.on(Self.path, method: .put, access: .anyCaller) { request, context in
            let query = request.uri.queryParameters
            let parsed = UserprefsRequest.parse(action: query["action"].map(String.init), repo: query["repo"].map(String.init))
            return try await toggle(parsed, context: context)
        }
    }

    /// zot's order of checks: the request, then the caller, then (for a star) the repository.
    func toggle(_ parsed: Result<UserprefsRequest, OCIError>, context: RegistryRequestContext) async throws -> Response {
        let request = try parsed.get()
        let identity = context.caller.identity
        guard !identity.isAnonymous, context.mayRead(request.repository) else {
            throw OCIError(.denied, detail: "only a signed-in user who may read \(request.repository) can mark it")
        }
        // zot stars only repositories it knows, but bookmarks any name it is given.
        if request.mark == .star, try await !exists(request.repository) {
            throw OCIError(.nameUnknown, detail: request.repository)
        }
        try await marks.toggle(request.mark, user: identity.name, repository: request.repository)
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    /// Whether storage holds the repository. zot asks its metadata, which knows a repository from its first
    /// push on; search's index may still be gathering that push into a batch.
    private func exists(_ repository: String) async throws -> Bool {
        guard let name = try? RepositoryName(parsing: repository) else { return false }
        do {
            _ = try await store.tags(in: name, after: nil, limit: 1)
            return true
        } catch StorageError.nameUnknown {
            return false
        }
    }
}

/// The query of a userprefs request, checked in zot's order: action present and known, then repo present and
/// not empty.
struct UserprefsRequest: Equatable {
    let mark: UserMark
    let repository: String

    static func parse(action: String?, repo: String?) -> Result<UserprefsRequest, OCIError> {
        guard let action else { return .failure(Self.badRequest("the action parameter is missing")) }
        let mark: UserMark
        switch action {
        case "toggleStar": mark = .star
        case "toggleBookmark": mark = .bookmark
        default: return .failure(Self.badRequest("unknown action \(action): toggleStar or toggleBookmark"))
        }
        guard let repo else { return .failure(Self.badRequest("the repo parameter is missing")) }
        guard !repo.isEmpty else { return .failure(OCIError(.nameUnknown, detail: "the repo parameter is empty")) }
        return .success(UserprefsRequest(mark: mark, repository: repo))
    }

    private static func badRequest(_ detail: String) -> OCIError {
        OCIError(.unsupported, detail: detail, status: .badRequest)
    }
}
