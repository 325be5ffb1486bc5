import ArgumentParser
import Config
import Registry

/// `zotd verify CONFIG`: checks a config file without starting anything.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a configuration file and exit.")

    @Argument(help: "Path to a zot JSON configuration file.")
    var config: String

    func run() throws {
        let loaded = try ConfigFile.load(config)
        print("\(config): configuration is valid (storage at \(loaded.storage.rootDirectory), listening on \(loaded.http.address):\(loaded.http.port))")
    }
}
