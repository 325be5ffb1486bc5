import ArgumentParser

/// The `zotd` command line.
@main
struct Zotd: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        abstract: "An OCI registry daemon that reads zot's configuration format.",
        version: "zotd \(version) (extensions: \(CompiledExtensions.labels.isEmpty ? "none" : CompiledExtensions.labels.joined(separator: ",")))",
        subcommands: [Serve.self, Verify.self, Scrub.self, Reindex.self]
    )
}
