import Foundation

/// `extensions.sync.credentialsFile`, as zot reads it: a JSON object from upstream host (with its port when
/// the URL has one) to `{"username", "password"}`.
struct UpstreamCredentials: Sendable {
    struct Login: Sendable, Equatable, Decodable {
        var username: String
        var password: String

        /// `Authorization: Basic …`, for the upstream itself or for its token server.
        var basicAuthorization: String {
            "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        }
    }

    private var logins: [String: Login] = [:]

    init() {}

    init(logins: [String: Login]) {
        self.logins = logins
    }

    /// - Throws: `SyncSetupError` naming the file and what is wrong with it.
    init(file path: String) throws(SyncSetupError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SyncSetupError("extensions.sync.credentialsFile: cannot read \(path)")
        }
        do {
            logins = try JSONDecoder().decode([String: Login].self, from: data)
        } catch {
            throw SyncSetupError(
                "extensions.sync.credentialsFile: \(path) is not {\"host:port\": {\"username\", \"password\"}}: \(error)")
        }
    }

    /// The login for `url`'s host: `host:port` first, then the host alone.
    func login(for url: URL) -> Login? {
        guard let host = url.host else { return nil }
        if let port = url.port, let login = logins["\(host):\(port)"] { return login }
        return logins[host]
    }
}

/// A sync setting that cannot be used, found when the extension starts.
struct SyncSetupError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
