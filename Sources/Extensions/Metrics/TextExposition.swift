/// Writes families swift-prometheus cannot hold into Prometheus' text format 0.0.4.
///
/// swift-prometheus has counters, gauges and histograms; zot also exposes summaries (without quantiles, as Go's
/// client writes a `SummaryVec` that has no objectives: only `_sum` and `_count`). Those are written here, next to
/// what the registry emits.
struct TextExposition {
    private(set) var bytes: [UInt8]

    init(bytes: [UInt8] = []) {
        self.bytes = bytes
    }

    /// One sample of a summary: its single label (if any), the sum of observed values, and how many.
    struct SummarySample {
        var label: (name: String, value: String)?
        var sum: Double
        var count: UInt64
    }

    /// `# HELP`, `# TYPE name summary`, then `_sum` and `_count` for each sample.
    mutating func appendSummary(name: String, help: String, samples: [SummarySample]) {
        appendHeader(name: name, help: help, type: "summary")
        for sample in samples {
            appendSample(name: name, suffix: "_sum", label: sample.label, value: Self.format(sample.sum))
            appendSample(name: name, suffix: "_count", label: sample.label, value: String(sample.count))
        }
    }

    private mutating func appendHeader(name: String, help: String, type: String) {
        bytes.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
    }

    private mutating func appendSample(name: String, suffix: String, label: (name: String, value: String)?, value: String) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: suffix.utf8)
        if let label {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: label.name.utf8)
            bytes.append(contentsOf: "=\"".utf8)
            appendEscaped(label.value)
            bytes.append(contentsOf: "\"}".utf8)
        }
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: value.utf8)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Label values escape backslash, double quote and line feed (text format 0.0.4).
    private mutating func appendEscaped(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            default: bytes.append(byte)
            }
        }
    }

    /// A sample value as Prometheus parses it; integral values without a fraction, as Go writes them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
