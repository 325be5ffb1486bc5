import ArgumentParser
import Logging
import Registry
import Storage

/// `zotd scrub CONFIG`: re-hashes every blob and manifest of the config's storage and checks each
/// manifest's references; prints what is damaged per repository and exits 1 when anything is.
///
/// Read-only, and safe while `zotd serve` runs on the same root (SQLite readers never block writers).
struct Scrub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check stored content: re-hash blobs and manifests, check references; exit 1 on damage."
    )

    @Argument(help: "Path to a zot JSON configuration file.")
    var config: String

    @Option(help: "Re-hash at most this many MiB per second (0: no limit).")
    var rate: Int = 0

    func run() async throws {
        let config = try ConfigFile.load(self.config)
        let root = Serve.absolute(config.storage.rootDirectory)
        let report: ScrubReport
        do {
            let store = try await StorageStartup.store(root: root, durable: false, storage: config.storage, logger: Logger(label: "zotd.storage"))
            report = try await store.scrub(bytesPerSecond: rate > 0 ? Int64(rate) << 20 : nil)
        } catch {
            printToStandardError("error: cannot scrub \(root): \(error)")
            throw ExitCode(2)
        }
        for problem in report.problems {
            print("scrub: \(problem)")
        }
        for (repository, count) in report.problemsByRepository.sorted(by: { $0.key < $1.key }) {
            print("scrub: repository \(repository): \(count) problem(s)")
        }
        print(ScrubSummary.line(report, root: root))
        if !report.isClean { throw ExitCode(1) }
    }
}
