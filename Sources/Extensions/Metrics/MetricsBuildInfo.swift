/// What `zot_info{commit,binaryType,goVersion,version}` says about this binary.
public struct MetricsBuildInfo: Sendable, Equatable {
    public var version: String
    public var commit: String
    /// zot's `binaryType`: the compiled-in build labels, each after a `-` (`-metrics-mgmt`), as zot's Makefile
    /// writes `EXTENSIONS`; `minimal` when none is compiled in.
    public var binaryType: String
    /// zot's `goVersion` label, which here names the Swift compiler (`swift6.3`).
    public var compilerVersion: String

    /// - Parameter labels: the build labels (SwiftPM traits) compiled into this binary, in build order.
    public init(
        version: String = "unknown",
        commit: String = "unknown",
        labels: [String],
        compilerVersion: String = MetricsBuildInfo.compiler
    ) {
        self.version = version
        self.commit = commit
        self.binaryType = labels.isEmpty ? "minimal" : labels.map { "-" + $0 }.joined()
        self.compilerVersion = compilerVersion
    }

    /// The Swift compiler this was built with, to the minor version.
    public static var compiler: String {
        #if compiler(>=6.4)
        "swift6.4+"
        #elseif compiler(>=6.3)
        "swift6.3"
        #elseif compiler(>=6.2)
        "swift6.2"
        #elseif compiler(>=6.1)
        "swift6.1"
        #else
        "swift6.0"
        #endif
    }
}
