/// zot's `log` section.
public struct LogConfig: Sendable, Equatable {
    /// The least severe level that is logged. Default: `info` (zot's own default is `debug`, which is too
    /// chatty for a server left running).
    public var level: LogLevel
    /// The file log lines are appended to; `nil` means standard output.
    public var output: String?
    /// The file an audit line per modifying request is appended to; `nil` means no audit log.
    public var audit: String?

    /// Creates a log config.
    public init(level: LogLevel = .info, output: String? = nil, audit: String? = nil) {
        self.level = level
        self.output = output
        self.audit = audit
    }
}

/// How severe a log line is, named as in swift-log so the server can map each case one to one.
public enum LogLevel: String, Sendable, Equatable, CaseIterable {
    /// Step-by-step detail for tracing a problem.
    case trace
    /// Detail for debugging.
    case debug
    /// Normal operation.
    case info
    /// Something unexpected that the server recovered from.
    case warning
    /// A failed operation.
    case error
    /// A failure that needs attention now.
    case critical

    /// The level for one of zot's (zerolog's) level names, in any letter case: `trace`, `debug`, `info`,
    /// `warn` (or `warning`), `error`, and `fatal` and `panic`, which both become `critical` since zotd does
    /// not stop on a log line.
    public init?(zotName: String) {
        switch zotName.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        case "fatal", "panic": self = .critical
        default: return nil
        }
    }
}

extension LogConfig {
    /// Reads the `log` section. An empty `output` or `audit` means "not set", as in zot.
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        self.init()
        if let name = try reader.string("level") {
            guard let level = LogLevel(zotName: name) else {
                throw reader.mismatch(
                    "level", expected: "one of trace, debug, info, warn, error, fatal, panic", got: .string(name))
            }
            self.level = level
        }
        output = try reader.string("output").flatMap { $0.isEmpty ? nil : $0 }
        audit = try reader.string("audit").flatMap { $0.isEmpty ? nil : $0 }
        warnings += reader.unknownKeyWarnings()
    }
}
