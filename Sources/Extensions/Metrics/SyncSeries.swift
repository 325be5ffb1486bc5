import Foundation
import Prometheus

/// The sync extension's work on `/metrics`, from `RegistryEvent.syncCopied` and `.syncPassFinished`. zot has
/// no sync metrics, so the names are zotd's own, in zot's namespace, labelled by the upstream's first URL and
/// by `mode` (`on_demand` or `periodic`):
///
/// - `zot_sync_images_copied_total{upstream,mode}`, `zot_sync_copy_failures_total{upstream,mode}` (counters):
///   images stored from the upstream, and attempts that failed (each retried later);
/// - `zot_sync_passes_total{upstream}` (counter), `zot_sync_last_pass_timestamp_seconds{upstream}` and
///   `zot_sync_last_pass_duration_seconds{upstream}` (gauges): periodic passes.
///
/// The upstreams are the config's, so the series are few and fixed.
final class SyncSeries: Sendable {
    private let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func recordCopy(upstream: String, periodic: Bool, failed: Bool) {
        let labels = [("upstream", upstream), ("mode", periodic ? "periodic" : "on_demand")]
        let name = failed ? "copy_failures" : "images_copied"
        let help = failed ? "Images the sync extension failed to store from the upstream" : "Images stored from the upstream"
        registry.makeCounter(descriptor: Self.descriptor(name, "total", help), labels: labels).increment()
    }

    func recordPass(upstream: String, seconds: Double, finishedAt: Date) {
        let labels = [("upstream", upstream)]
        registry.makeCounter(descriptor: Self.descriptor("passes", "total", "Periodic sync passes finished"), labels: labels)
            .increment()
        registry.makeGauge(
            descriptor: Self.descriptor("last_pass_timestamp", "seconds", "When the last periodic sync pass finished"),
            labels: labels
        ).set(to: finishedAt.timeIntervalSince1970)
        registry.makeGauge(
            descriptor: Self.descriptor("last_pass_duration", "seconds", "How long the last periodic sync pass took"),
            labels: labels
        ).set(to: max(0, seconds))
    }

    private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "zot", subsystem: "sync", metricName: name, unitName: unit, helpText: help)
    }
}
