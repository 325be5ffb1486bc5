import ArgumentParser
import Logging
import Registry
import Storage

/// `zotd reindex CONFIG`: rebuilds from storage what the enabled extensions derive from it (search's image
/// index), for a root whose index was lost or written by an older zotd. It may run beside `zotd serve` on the
/// same root: each repository is one transaction, the server's own updates land between them, and searches
/// meanwhile see the index part-built.
struct Reindex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the extensions' indexes (search) from stored content."
    )

    @Argument(help: "Path to a zot JSON configuration file.")
    var config: String

    func run() async throws {
        let config = try ConfigFile.load(self.config)
        let root = Serve.absolute(config.storage.rootDirectory)
        do {
            let store = try await StorageStartup.store(root: root, durable: false, storage: config.storage, logger: Logger(label: "zotd.storage"))
            let context = ExtensionContext(config: config, store: store, logger: Logger(label: "zotd.reindex"))
            let extensions = try ExtensionSet(factories: CompiledExtensions.factories, context: context)
            var rebuilt = false
            for item in extensions.extensions {
                if let line = try await item.rebuild() {
                    print(line)
                    rebuilt = true
                }
            }
            if !rebuilt { print("reindex: no enabled extension keeps an index") }
        } catch {
            printToStandardError("error: cannot reindex \(root): \(error)")
            throw ExitCode(2)
        }
    }
}
