import Config
import Registry
import SearchExtension

/// Builds the trust extension from `extensions.trust` (zot's build label is `imagetrust`, its section `trust`).
public struct ImageTrustExtensionFactory: RegistryExtensionFactory {
    public let label = "imagetrust"
    public let configKey = "trust"

    public init() {}

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        let settings = try TrustSettings(section: section)
        let root = context.config.storage.rootDirectory
        let trust = TrustStore(rootDirectory: root, logger: context.logger)
        let verdicts = try openSignatureVerdicts(rootDirectory: root, shared: context.store.sharedMetadata)
        let checker = SignatureChecker(
            store: context.store, trust: trust, verdicts: verdicts, settings: settings, logger: context.logger)
        context.signatureJudge.provide(TrustJudge(checker: checker))
        let gate = PullGate(policies: settings.policies, verdicts: verdicts, store: context.store)
        let (work, queue) = AsyncStream.makeStream(of: TrustWork.self)
        return ImageTrustExtension(settings: settings, trust: trust, checker: checker, gate: gate, work: work, queue: queue)
    }
}
