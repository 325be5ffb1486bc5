import Foundation
import Storage

/// A store for extensions built by tests that never reach storage through it.
let scratchStore: RegistryStore = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("zotd-metrics-scratch-\(UUID().uuidString)")
    return try! RegistryStore.local(root: root.path, durable: false)
}()

/// The page's samples by series as written (`name{labels}`), and its `# TYPE` lines by family.
struct Page {
    var samples: [String: Double] = [:]
    var types: [String: String] = [:]

    init(_ bytes: [UInt8]) {
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                types[String(parts[2])] = String(parts[3])
            } else if !line.hasPrefix("#"), let space = line.lastIndex(of: " ") {
                samples[String(line[..<space])] = Double(line[line.index(after: space)...])
            }
        }
    }

    /// Series whose name is `family` or starts with it, whose labels mention `fragment`.
    func series(_ family: String, containing fragment: String) -> [String] {
        samples.keys.filter { $0.hasPrefix(family) && $0.contains(fragment) }.sorted()
    }
}
