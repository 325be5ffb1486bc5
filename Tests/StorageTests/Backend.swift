@testable import Storage

/// The backends every conformance test runs on, each test taking one as its argument: a new backend (S3,
/// PostgreSQL) joins every suite by adding a case here.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Blob files on disk and SQLite, in a temporary folder.
    case local
    case inMemory

    var description: String { rawValue }

    /// A fresh, empty store of this backend.
    func open() throws -> OpenedBackend {
        switch self {
        case .local:
            let root = TemporaryRoot()
            return OpenedBackend(registry: try root.open(), root: root)
        case .inMemory:
            return OpenedBackend(registry: .inMemory(), root: nil)
        }
    }
}

/// One backend's fresh store, holding the temporary folder a local one lives in: the folder goes with it.
final class OpenedBackend {
    let registry: RegistryStore
    private let root: TemporaryRoot?

    init(registry: RegistryStore, root: TemporaryRoot?) {
        self.registry = registry
        self.root = root
    }

    var blobs: any BlobStore { registry.blobs }
    var metadata: any MetadataStore { registry.metadata }
}

extension StorageError {
    /// Whether this is an I/O failure, whatever its detail: backends word theirs differently.
    var isIO: Bool {
        if case .io = self { return true }
        return false
    }
}
