import Config

/// Which login methods are on, as zot's mgmt answer states them: a member per method, present when on.
///
/// Built from the raw `http.auth` section, so it works whatever shape the typed auth config takes. The
/// rules are those of zot's `Auth.MarshalJSON`:
/// - `htpasswd: {}` when a htpasswd file or LDAP is configured, meaning "send a user name and password";
///   neither the file's path nor anything about the LDAP server is given, and `ldap` never appears.
/// - `bearer: {realm, service}` when a token server is configured (its certificate is not given).
/// - `openid: {providers: {<name>: {name}}}` when at least one provider is configured; provider names are
///   folded to lower case as zot's config reader folds them. Client ids, secrets, key paths, issuers and
///   scopes are not given.
/// - `apikey: true` when API keys are on.
/// - `allowAnonymousAccess: true` when some repository has an `anonymousPolicy` (newer zot).
struct AuthSummary: Encodable, Equatable {
    var htpasswd: Empty?
    var bearer: Bearer?
    var openid: OpenID?
    var apikey: Bool?
    var allowAnonymousAccess: Bool?

    /// `{}`: the method is on and there is nothing more to say.
    struct Empty: Encodable, Equatable {
        func encode(to encoder: any Encoder) throws {
            _ = encoder.container(keyedBy: EmptyKeys.self)
        }
        private enum EmptyKeys: CodingKey {}
    }

    /// Where clients get tokens: public by nature, they are told so in every `WWW-Authenticate`.
    struct Bearer: Encodable, Equatable {
        var realm: String?
        var service: String?
    }

    /// The OpenID providers a user may log in with.
    struct OpenID: Encodable, Equatable {
        var providers: [String: Provider]
    }

    /// A provider's display name.
    struct Provider: Encodable, Equatable {
        var name: String?
    }

    /// The summary of `auth`, or `nil` when there is no `http.auth` section (zot then leaves `auth` out).
    init?(auth: JSONValue?, accessControl: JSONValue?) {
        guard let auth, auth != .null else { return nil }

        let ldapConfigured = Self.isPresent(auth["ldap"])
        let htpasswdPath = auth["htpasswd"]?["path"]?.stringValue ?? ""
        htpasswd = ldapConfigured || !htpasswdPath.isEmpty ? Empty() : nil

        if let section = auth["bearer"], Self.isPresent(section) {
            bearer = Bearer(realm: Self.nonEmpty(section["realm"]), service: Self.nonEmpty(section["service"]))
        }

        let providers = auth["openid"]?["providers"]?.objectValue ?? [:]
        if !providers.isEmpty {
            var summaries: [String: Provider] = [:]
            for (name, provider) in providers {
                summaries[name.lowercased()] = Provider(name: Self.nonEmpty(provider["name"]))
            }
            openid = OpenID(providers: summaries)
        }

        apikey = auth["apikey"] == .bool(true) ? true : nil
        allowAnonymousAccess = Self.anonymousPolicyExists(accessControl) ? true : nil
    }

    /// A section counts as written when it is there and not `null`.
    private static func isPresent(_ value: JSONValue?) -> Bool {
        guard let value else { return false }
        return value != .null
    }

    /// The string, unless absent or empty (zot's `omitempty`).
    private static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    /// zot's `AnonymousPolicyExists`: some repository lets anonymous users do something.
    private static func anonymousPolicyExists(_ accessControl: JSONValue?) -> Bool {
        let repositories = accessControl?["repositories"]?.objectValue ?? [:]
        return repositories.values.contains { !($0["anonymousPolicy"]?.arrayValue ?? []).isEmpty }
    }
}
