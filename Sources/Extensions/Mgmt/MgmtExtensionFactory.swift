import Config
import Registry

/// Builds the mgmt extension: `GET /v2/_zot/ext/mgmt?resource=config`, the config a client needs to know
/// how to log in, with every secret left out.
///
/// - Important: zot turns mgmt on whenever `extensions.search` is enabled and ignores an `extensions.mgmt`
///   section ("made redundant", `IsMgmtEnabled() == IsSearchEnabled()` in zot's `pkg/api/config`), because its
///   only consumer is the web UI served next to search. zotd switches mgmt with its own section instead,
///   like every other extension (`"mgmt": {}` on, `"enable": false` off): zotd has no search extension for
///   it to ride on, and one rule for all sections is easier to predict. A zot config that enables search but
///   has no `mgmt` section therefore gets no mgmt endpoint from zotd.
public struct MgmtExtensionFactory: RegistryExtensionFactory {
    public let label = "mgmt"
    /// What the answer reports as `commit`, `releaseTag` and `binaryType` (zot's build information).
    public var build: MgmtBuildInfo

    /// - Parameter build: the binary's build information; empty strings when not given, as in a zot
    ///   built without its `-ldflags`.
    public init(build: MgmtBuildInfo = MgmtBuildInfo()) {
        self.build = build
    }

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        try MgmtExtension(answer: StrippedConfig(config: context.config, build: build))
    }
}

/// The build facts zot's mgmt answer carries next to the config.
public struct MgmtBuildInfo: Sendable, Equatable {
    /// The source revision the binary was built from.
    public var commit: String
    /// The release the binary belongs to, e.g. `v2.1.0`.
    public var releaseTag: String
    /// zot's `binaryType`: the compiled-in extension labels, each after a dash (`-metrics-mgmt-lint`);
    /// empty for a binary without extensions.
    public var binaryType: String

    /// Creates build information. `commit` and `releaseTag` default to empty, as in a zot built without
    /// its `-ldflags`; `binaryType` to the labels this package was compiled with.
    public init(
        commit: String = "",
        releaseTag: String = "",
        binaryType: String = MgmtBuildInfo.binaryType(labels: CompiledLabels.current)
    ) {
        self.commit = commit
        self.releaseTag = releaseTag
        self.binaryType = binaryType
    }

    /// zot's `binaryType` for a binary with extension `labels` compiled in: `["metrics", "mgmt"]` gives
    /// `-metrics-mgmt`.
    public static func binaryType(labels: [String]) -> String {
        labels.map { "-" + $0 }.joined()
    }
}
