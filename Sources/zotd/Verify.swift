import ArgumentParser
import Config
import Registry
import Storage

/// `zotd verify CONFIG`: checks a config file without starting anything, and says what the storage root
/// holds that `zotd serve` will take over (zot's repositories, an older zotd's files). It changes nothing.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a configuration file and exit.")

    @Argument(help: "Path to a zot JSON configuration file.")
    var config: String

    func run() throws {
        let loaded = try ConfigFile.load(config)
        print("\(config): configuration is valid (storage at \(loaded.storage.rootDirectory), listening on \(loaded.http.address):\(loaded.http.port))")
        let root = Serve.absolute(loaded.storage.rootDirectory)
        let scan: ZotLayoutScan
        do {
            scan = try ZotLayoutScan(root: root)
        } catch {
            printToStandardError("warning: cannot look into \(root): \(error)")
            return
        }
        if !scan.repositories.isEmpty {
            let names = scan.repositories.prefix(5).map(\.name.value).joined(separator: ", ")
            let more = scan.repositories.count > 5 ? ", …" : ""
            print("storage: \(scan.repositories.count) repositories in zot's layout (\(names)\(more)); `zotd serve` adopts them at start, by hard links, changing none of zot's files")
        }
        for path in scan.invalidNames {
            print("storage: \(path) holds an OCI layout but is not a valid repository name: it will not be adopted")
        }
    }
}
