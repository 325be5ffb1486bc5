/// Moves the files an older zotd kept at the top of the storage root into `_zotd/` (see `BlobLayout`).
///
/// Such a root is recognised by `<root>/zotd.db`, which zotd always created. Each entry moves by one
/// rename (same file system: no bytes are copied), the metadata database last, so a move cut short by a
/// kill is finished by the next start: `zotd.db` is still at the top until everything else has moved.
enum LegacyLayoutMove {
    /// What zotd kept at the top of the root, the database's companions before the database itself.
    static let entries = [
        "blobs", "uploads",
        "zotd-search.db-wal", "zotd-search.db-shm", "zotd-search.db",
        "zotd.db-wal", "zotd.db-shm", "zotd.db",
    ]

    /// - Returns: the names moved; empty when the root has no files of an older zotd.
    static func run(_ layout: BlobLayout) throws(StorageError) -> [String] {
        guard try POSIXFile.size("\(layout.root)/zotd.db") != nil else { return [] }
        try POSIXFile.makeDirectory(layout.stateDirectory)
        var moved: [String] = []
        for name in entries {
            let (source, destination) = ("\(layout.root)/\(name)", layout.stateFile(name))
            guard try POSIXFile.size(source) != nil else { continue }
            guard try POSIXFile.size(destination) == nil else {
                throw .io("both \(source) and \(destination) exist: move one away by hand, then start again")
            }
            try POSIXFile.rename(source, destination)
            moved.append(name)
        }
        try POSIXFile.syncDirectory(layout.stateDirectory)
        try POSIXFile.syncDirectory(layout.root)
        return moved
    }
}
