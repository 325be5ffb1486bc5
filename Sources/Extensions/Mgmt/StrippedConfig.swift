import Config

/// The mgmt answer: zot's `StrippedConfig` (`pkg/extensions/extension_mgmt.go`), built from the config.
///
/// It says which login methods a client may use and how storage is tidied, and nothing else.
///
/// - Important: Every value here is chosen field by field from the config; nothing is copied wholesale.
///   A new setting, however harmless, appears only when added here, so passwords, keys, client secrets,
///   bind credentials and file paths can never leak through it.
struct StrippedConfig: Encodable, Equatable {
    var distSpecVersion: String
    var commit: String
    var releaseTag: String
    var binaryType: String
    var http: HTTPSummary
    var storage: StorageSummary

    /// The `http` member: only the authentication summary.
    struct HTTPSummary: Encodable, Equatable {
        /// `nil` (left out) when the config has no `http.auth` section.
        var auth: AuthSummary?
    }

    init(config: RegistryConfig, build: MgmtBuildInfo) {
        distSpecVersion = config.distSpecVersion
        commit = build.commit
        releaseTag = build.releaseTag
        binaryType = build.binaryType
        http = HTTPSummary(auth: AuthSummary(auth: config.http.auth, accessControl: config.http.accessControl))
        storage = StorageSummary(config.storage)
    }
}
