import Foundation

@testable import Config

/// Reads `json` with the real refusal table.
func load(_ json: String) throws(ConfigError) -> (config: RegistryConfig, warnings: [ConfigWarning]) {
    try ConfigLoader.load(data: Data(json.utf8))
}

/// The error `json` is refused with, or `nil` when it loads.
func refusal(_ json: String) -> ConfigError? {
    do {
        _ = try load(json)
        return nil
    } catch {
        return error
    }
}
