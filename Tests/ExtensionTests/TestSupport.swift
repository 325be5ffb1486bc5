import Config
import Foundation
import Logging
import Storage

@testable import Registry

/// A config for tests: a throwaway root, the given extension sections and raw `http` settings.
func makeConfig(
    extensions: [String: JSONValue] = [:],
    auth: JSONValue? = nil,
    accessControl: JSONValue? = nil,
    storage: StorageConfig = StorageConfig(rootDirectory: "/tmp/zotd-extension-tests")
) -> RegistryConfig {
    RegistryConfig(
        storage: storage,
        http: HTTPConfig(auth: auth, accessControl: accessControl),
        extensions: ExtensionsConfig(sections: extensions)
    )
}

/// A store in a fresh temporary folder, removed when the value goes away.
final class TemporaryStore {
    let path = NSTemporaryDirectory() + "zotd-extension-test-" + UUID().uuidString
    let store: RegistryStore

    init() throws {
        store = try RegistryStore.local(root: path, durable: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// What extensions are built with, for `config`.
    func context(_ config: RegistryConfig) -> ExtensionContext {
        ExtensionContext(config: config, store: store, logger: Logger(label: "extension-tests"))
    }
}

/// Parses a JSON literal written in a test.
func json(_ text: String) -> JSONValue {
    // A test's own literal: a mistake in it should stop the test loudly.
    try! JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}
