import Config
import Registry

/// Builds the metrics extension from its config section.
public struct MetricsExtensionFactory: RegistryExtensionFactory {
    public let label = "metrics"
    /// What `zot_info` reports.
    public let build: MetricsBuildInfo

    /// - Parameter build: what `zot_info` reports; by default the labels compiled into this package.
    public init(build: MetricsBuildInfo = MetricsBuildInfo(labels: CompiledLabels.current)) {
        self.build = build
    }

    public func make(section: JSONValue, context: ExtensionContext) throws -> any RegistryExtension {
        MetricsExtension(
            settings: try MetricsSettings(section: section),
            metrics: RegistryMetrics(build: build, storageRoot: context.config.storage.rootDirectory),
            store: context.store
        )
    }
}
