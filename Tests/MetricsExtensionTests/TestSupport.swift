import Foundation
import Storage

/// A store for extensions built by tests that never reach storage through it.
let scratchStore: RegistryStore = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("zotd-metrics-scratch-\(UUID().uuidString)")
    return try! RegistryStore.local(root: root.path, durable: false)
}()
