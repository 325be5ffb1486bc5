import ArgumentParser
import Config

/// Loading shared by `serve` and `verify`: warnings to stderr, errors as a non-zero exit.
enum ConfigFile {
    static func load(_ path: String) throws -> RegistryConfig {
        do {
            let (config, warnings) = try ConfigLoader.load(path: path)
            for warning in warnings {
                printToStandardError("warning: \(warning.keyPath): \(warning.message)")
            }
            for name in config.extensions.enabledNames where !CompiledExtensions.labels.contains(name) {
                if name == "ui" && CompiledExtensions.labels.contains("userprefs") {
                    // zot's `ui` serves zui's files and, with search, turns on userprefs: zotd does only the latter.
                    printToStandardError(
                        "warning: extensions.ui: zotd does not serve zui's files (serve them beside it); it turns on userprefs")
                    continue
                }
                printToStandardError("warning: extensions.\(name): enabled in the config but not compiled into this binary; ignored")
            }
            return config
        } catch {
            printToStandardError("error: \(path): \(error)")
            throw ExitCode(2)
        }
    }
}
