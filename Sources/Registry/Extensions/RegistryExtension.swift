import Config
import Foundation
import Hummingbird
import Logging
import Storage

/// What an extension plugs into: the one protocol core code knows.
///
/// An extension is compiled in by its build label (a SwiftPM trait named like zot's) and
/// switched on by its section in the config's `extensions` object. Every requirement has
/// a default, so an extension implements only what it uses.
public protocol RegistryExtension: Sendable {
    /// Endpoints `GET /v2/_oci/ext/discover` advertises for it, e.g. `/v2/_zot/ext/mgmt`.
    var endpoints: [String] { get }
    /// Adds the extension's routes, each with the access it needs. Paths under `/v2/_zot/ext/` or outside `/v2/`.
    func addRoutes(to routes: GuardedRoutes)
    /// Background work for as long as the server runs; returns when cancelled.
    func run() async throws
    /// Sees every finished request (metrics, audit).
    func observe(_ exchange: RequestExchange)
    /// Hears what changed in storage after it changed.
    func handle(_ event: RegistryEvent) async
    /// May refuse a manifest before it is stored, by throwing an `OCIError` (lint).
    func check(_ manifest: ManifestSubmission) async throws
    /// May refuse to serve a manifest (`GET` and `HEAD`), by throwing an `OCIError` (signature policies).
    func checkPull(_ pull: ManifestPull) async throws
    /// Rebuilds from storage whatever the extension derives from it (`zotd reindex`), with the server stopped
    /// or running; returns a line saying what it did, nil when it derives nothing.
    func rebuild() async throws -> String?
    /// Brings manifests and blobs storage lacks from elsewhere (sync), or nil.
    var missingContent: (any MissingContentSource)? { get }
}

extension RegistryExtension {
    public var endpoints: [String] { [] }
    public func addRoutes(to routes: GuardedRoutes) {}
    public func run() async throws {}
    public func observe(_ exchange: RequestExchange) {}
    public func handle(_ event: RegistryEvent) async {}
    public func check(_ manifest: ManifestSubmission) async throws {}
    public func checkPull(_ pull: ManifestPull) async throws {}
    public func rebuild() async throws -> String? { nil }
    public var missingContent: (any MissingContentSource)? { nil }
}

extension RegistryExtensionFactory {
    public var configKey: String { label }
    public func isEnabled(by extensions: ExtensionsConfig) -> Bool { extensions.isEnabled(configKey) }
}

/// Builds an extension from its config section; one per compiled-in label.
public protocol RegistryExtensionFactory: Sendable {
    /// zot's build label, e.g. `metrics`.
    var label: String { get }
    /// The key of its config section: by default the label (zot's `imagetrust` label reads `trust`).
    var configKey: String { get }
    /// Whether the config turns the extension on: by default, its own section does (zot's rule).
    func isEnabled(by extensions: ExtensionsConfig) -> Bool
    /// - Parameters:
    ///   - section: the extension's config section (`{}` when present but empty).
    ///   - context: what an extension may use of the server.
    func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension
}

/// What the server lends to extensions.
public struct ExtensionContext: Sendable {
    public let config: RegistryConfig
    public let store: RegistryStore
    public let logger: Logger
    /// Where an extension posts events of its own for the other extensions to `handle`.
    public let events: ExtensionEvents
    /// The signature judge, once the extension that verifies signatures (trust) is built.
    public let signatureJudge: SignatureJudgeSlot

    public init(
        config: RegistryConfig, store: RegistryStore, logger: Logger, events: ExtensionEvents = ExtensionEvents(),
        signatureJudge: SignatureJudgeSlot = SignatureJudgeSlot()
    ) {
        self.config = config
        self.store = store
        self.logger = logger
        self.events = events
        self.signatureJudge = signatureJudge
    }
}

/// One finished request, as `observe` sees it.
public struct RequestExchange: Sendable {
    public let method: String
    public let path: String
    /// The repository the request addressed, when it addressed one.
    public let repository: String?
    public let status: Int
    public let seconds: Double
}

/// A change in storage, announced after it happened, or a finished background pass over it.
public enum RegistryEvent: Sendable, Equatable {
    case manifestPushed(ManifestPush)
    case manifestDeleted(repository: String, reference: String)
    case blobPushed(repository: String, digest: Digest)
    case imagePulled(repository: String, reference: String)
    /// One garbage collection ran (`failed` when it stopped on an error).
    case garbageCollected(report: GarbageReport, seconds: Double, failed: Bool)
    /// One scrub pass over the whole store finished (posted by the scrub extension through `ExtensionEvents`);
    /// `report.byRepository` has blobs checked, corrupt and missing, and manifests with missing references,
    /// per repository. A pass that fails is logged, not posted: the figures of the last good one stand.
    case scrubFinished(report: ScrubReport, seconds: Double, finishedAt: Date)
    /// The sync extension stored an image from `upstream` (its first URL), or failed to: on demand, or in a
    /// periodic pass.
    case syncCopied(upstream: String, periodic: Bool, failed: Bool)
    /// One periodic sync pass over `upstream` finished.
    case syncPassFinished(upstream: String, seconds: Double, finishedAt: Date)
}

/// A manifest stored, as `manifestPushed` announces it: with its bytes, so that an extension describing it
/// need not read it back.
public struct ManifestPush: Sendable, Equatable {
    public let repository: String
    public let digest: Digest
    /// The tags the push set (its reference, when a tag, and the `tag` query parameters).
    public let tags: [String]
    /// The media type as stored.
    public let mediaType: String
    public let content: [UInt8]
    /// The signed-in user who pushed it; empty for an anonymous push.
    public let pushedBy: String

    public init(repository: String, digest: Digest, tags: [String], mediaType: String, content: [UInt8], pushedBy: String) {
        self.repository = repository
        self.digest = digest
        self.tags = tags
        self.mediaType = mediaType
        self.content = content
        self.pushedBy = pushedBy
    }
}

/// A manifest about to be served, for extensions that decide who may pull what.
public struct ManifestPull: Sendable {
    public let repository: RepositoryName
    /// The reference as requested: a tag or a digest.
    public let reference: Reference
    public let digest: Digest
    public let content: [UInt8]
}

/// A manifest about to be stored, for extensions that check manifests.
public struct ManifestSubmission: Sendable {
    public let repository: RepositoryName
    public let reference: Reference
    public let content: [UInt8]
    public let mediaType: ManifestMediaType
    /// Reads a blob of the repository (a config, say), bounded by `limit` bytes.
    public let readBlob: @Sendable (Digest, Int) async throws -> [UInt8]?
}
