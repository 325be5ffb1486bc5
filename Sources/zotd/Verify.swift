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

/// Loading shared by `serve` and `verify`: warnings to stderr, errors as a non-zero exit.
enum ConfigFile {
    static func load(_ path: String) throws -> RegistryConfig {
        do {
            let (config, warnings) = try ConfigLoader.load(path: path)
            for warning in warnings {
                printToStandardError("warning: \(warning.keyPath): \(warning.message)")
            }
            for name in config.extensions.enabledNames where !CompiledExtensions.labels.contains(name) {
                printToStandardError("warning: extensions.\(name): enabled in the config but not compiled into this binary; ignored")
            }
            return config
        } catch {
            printToStandardError("error: \(path): \(error)")
            throw ExitCode(2)
        }
    }
}

func printToStandardError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.write(string, to: 2)
    }
}
