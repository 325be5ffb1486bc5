import Synchronization

/// How far each upload has got: bytes staged and the running hash over them.
///
/// Held in memory only. After a restart an upload's progress is rebuilt from its staged
/// file, so the persisted state is just the file and the upload's database row.
final class UploadProgressTable: Sendable {
    struct Progress: Sendable {
        var offset: Int64
        var hasher: ContentHasher
    }

    private enum Slot: Sendable {
        case idle(Progress)
        /// A request is writing; others are refused rather than interleaved.
        case busy
    }

    private let slots = Mutex<[String: Slot]>([:])

    /// Takes exclusive hold of upload `id`. Returns its progress, or nil when it is not in
    /// memory (new, or staged before a restart) and the caller must rebuild it.
    func claim(_ id: String) throws(StorageError) -> Progress? {
        try slots.withLock { slots throws(StorageError) -> Progress? in
            switch slots[id] {
            case .busy:
                throw .uploadBusy(id)
            case .idle(let progress):
                slots[id] = .busy
                return progress
            case nil:
                slots[id] = .busy
                return nil
            }
        }
    }

    /// Gives the hold back, recording `progress` (nil forgets the upload).
    func release(_ id: String, progress: Progress?) {
        slots.withLock { slots in
            slots[id] = progress.map { .idle($0) }
        }
    }

    /// Whether a request holds upload `id` right now.
    func isBusy(_ id: String) -> Bool {
        slots.withLock { slots in
            if case .busy = slots[id] { return true }
            return false
        }
    }

    /// The staged offset when known in memory and nobody is writing.
    func offset(of id: String) -> Int64? {
        slots.withLock { slots in
            if case .idle(let progress) = slots[id] { return progress.offset }
            return nil
        }
    }
}
