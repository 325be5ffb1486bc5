import Config
import Registry

/// What the `extensions.metrics` section asks for, checked.
///
/// ```json
/// "metrics": {"enable": true, "prometheus": {"path": "/metrics"}, "repoLabelExpiry": "10m"}
/// ```
struct MetricsSettings: Sendable, Equatable {
    /// Where the Prometheus text is served: `extensions.metrics.prometheus.path`, default `/metrics`.
    var path: String
    /// zot's `extensions.metrics.repoLabelExpiry`: repository series untouched for this long are dropped.
    /// Nil (zot's `0`, the default) leaves only the cap on the number of repositories.
    var repoLabelExpiry: Duration?

    static let defaultPath = "/metrics"

    init(path: String = MetricsSettings.defaultPath, repoLabelExpiry: Duration? = nil) {
        self.path = path
        self.repoLabelExpiry = repoLabelExpiry
    }

    /// Reads the section as zot does: a missing `prometheus` or an empty `path` means `/metrics`.
    init(section: JSONValue) throws(ConfigError) {
        self.init()
        if let prometheus = section["prometheus"], prometheus != .null {
            guard prometheus.objectValue != nil else {
                throw .invalid(
                    keyPath: "extensions.metrics.prometheus", expected: "an object", got: prometheus.summary
                )
            }
            if let path = prometheus["path"], path != .null {
                guard let text = path.stringValue else {
                    throw .invalid(
                        keyPath: "extensions.metrics.prometheus.path", expected: "a string", got: path.summary
                    )
                }
                if !text.isEmpty { self.path = text }
            }
        }
        guard Self.isServable(path) else {
            throw .invalid(
                keyPath: "extensions.metrics.prometheus.path",
                expected: "an absolute path outside the OCI endpoints under /v2/ (such as /metrics)",
                got: "\"\(path)\""
            )
        }
        if let expiry = section["repoLabelExpiry"], expiry != .null {
            repoLabelExpiry = try Self.expiry(expiry)
        }
    }

    /// A path the router can own: absolute, no query, and not one the OCI endpoints would claim first.
    private static func isServable(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.contains("?") && !path.contains("#") && RegistryEndpoint(path: path) == nil
    }

    /// zot accepts `0` (off) or at least one minute, written as a Go duration.
    private static func expiry(_ value: JSONValue) throws(ConfigError) -> Duration? {
        let keyPath = "extensions.metrics.repoLabelExpiry"
        let expected = "a duration of at least 1m, or 0 to turn expiry off"
        let duration: Duration?
        switch value {
        case .string(let text): duration = GoDuration.parse(text)
        case .int(let nanoseconds): duration = .nanoseconds(nanoseconds)
        default: duration = nil
        }
        guard let duration, duration >= .zero else {
            throw .invalid(keyPath: keyPath, expected: expected, got: value.summary)
        }
        if duration == .zero { return nil }
        guard duration >= .seconds(60) else {
            throw .invalid(keyPath: keyPath, expected: expected, got: value.summary)
        }
        return duration
    }

}
