import NIOCore
import Synchronization

/// An open staging file of `InMemoryBlobStore`: a handle on the upload's node, as a descriptor is on an inode.
///
/// As `LocalUploadFile`: closing is idempotent, and a write or truncation after `close` fails with
/// `StorageError.io`.
final class InMemoryUploadFile: UploadFile {
    private let store: InMemoryBlobStore
    private let node: Int
    private let id: String
    private let isOpen = Mutex(true)

    init(store: InMemoryBlobStore, node: Int, id: String) {
        self.store = store
        self.node = node
        self.id = id
    }

    func write(_ buffer: ByteBuffer, at offset: Int64) async throws {
        try requireOpen()
        try store.files.withLock { files throws(StorageError) in try files.write(buffer, at: offset, to: node) }
    }

    func truncate(to size: Int64) async throws {
        try requireOpen()
        try store.files.withLock { files throws(StorageError) in try files.truncate(node, to: size) }
    }

    func close() async throws {
        isOpen.withLock { $0 = false }
    }

    private func requireOpen() throws(StorageError) {
        guard isOpen.withLock({ $0 }) else { throw .io("upload \(id) used after close") }
    }
}
