import Prometheus
import Synchronization

/// `zot_http_requests_total{method,code}` and `zot_http_method_latency_seconds{method}`.
///
/// Called for every request, so the series are looked up in a small table of their own (one short lock, no
/// string building) and created in the registry only the first time a method/code pair is seen. Both labels are
/// bounded: methods outside the standard set count as `OTHER`, so a client sending made-up methods cannot add
/// series; status codes are three digits.
final class RequestSeries: Sendable {
    /// zot's buckets for request latency (`GetDefaultBuckets` in `pkg/extensions/monitoring`).
    static let latencyBuckets: [Double] = [0.05, 0.5, 1, 5, 30, 60, 600]

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", metricName: "http_requests", unitName: "total",
            helpText: "Total number of http request in zot"
        )
    }
    static var methodLatency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zot", metricName: "http_method_latency", unitName: "seconds",
            helpText: "Latency of serving HTTP requests"
        )
    }

    /// The methods counted under their own name.
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "OTHER"]

    private struct Table {
        /// By `method index * 1000 + status`.
        var counters: [Int: Counter] = [:]
        /// By method index.
        var latencies: [ValueHistogram?] = Array(repeating: nil, count: RequestSeries.methods.count)
    }

    private let registry: PrometheusCollectorRegistry
    private let table = Mutex(Table())

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func record(method: String, status: Int, seconds: Double) {
        let methodIndex = Self.index(of: method)
        let code = (100...999).contains(status) ? status : 0
        let (counter, latency) = table.withLock { table -> (Counter, ValueHistogram) in
            let key = methodIndex * 1000 + code
            let counter: Counter
            if let known = table.counters[key] {
                counter = known
            } else {
                counter = registry.makeCounter(
                    descriptor: Self.requests,
                    labels: [("method", Self.methods[methodIndex]), ("code", String(code))]
                )
                table.counters[key] = counter
            }
            let latency: ValueHistogram
            if let known = table.latencies[methodIndex] {
                latency = known
            } else {
                latency = registry.makeValueHistogram(
                    descriptor: Self.methodLatency,
                    labels: [("method", Self.methods[methodIndex])],
                    buckets: Self.latencyBuckets
                )
                table.latencies[methodIndex] = latency
            }
            return (counter, latency)
        }
        counter.increment()
        latency.record(max(0, seconds))
    }

    /// The method's slot; anything outside the standard set is `OTHER`.
    static func index(of method: String) -> Int {
        switch method {
        case "GET": 0
        case "HEAD": 1
        case "POST": 2
        case "PUT": 3
        case "PATCH": 4
        case "DELETE": 5
        case "OPTIONS": 6
        case "CONNECT": 7
        case "TRACE": 8
        default: 9
        }
    }
}
