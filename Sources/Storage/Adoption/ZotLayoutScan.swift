/// Finds the repositories of a zot storage root: each is a directory holding an OCI image layout
/// (`oci-layout` and `index.json`), at any depth, its path under the root being its name (`team/tools/cli`).
///
/// A repository's own `blobs` directory is not walked (zot keeps every blob of the repository there, so a
/// walk into it would cost one entry per blob), nor is any directory whose name starts with `.` or `_`: no
/// repository name component can, and zot and zotd keep their own files under such names (`.uploads`,
/// `_trivy`, `_cosign`, `_zotd`).
public struct ZotLayoutScan: Sendable {
    /// One repository found: its name and its directory.
    public struct Repository: Sendable, Equatable {
        public var name: RepositoryName
        public var path: String
    }

    public private(set) var repositories: [Repository] = []
    /// Directories that hold a layout under a path that is no repository name (say, with capitals).
    public private(set) var invalidNames: [String] = []

    /// Walks `root`; a root that does not exist holds no repositories.
    public init(root: String) throws(StorageError) {
        let root = BlobLayout(root: root).root
        try walk(root, relative: nil)
        repositories.sort { $0.name < $1.name }
    }

    private mutating func walk(_ path: String, relative: String?) throws(StorageError) {
        var isLayout = false
        if let relative, try Self.holdsLayout(path) {
            isLayout = true
            if let name = try? RepositoryName(parsing: relative) {
                repositories.append(Repository(name: name, path: path))
            } else {
                invalidNames.append(relative)
            }
        }
        for child in try POSIXFile.subdirectories(of: path).sorted() {
            guard let first = child.first, first != ".", first != "_" else { continue }
            if isLayout, child == "blobs" { continue }
            let childName = if let relative { "\(relative)/\(child)" } else { child }
            try walk("\(path)/\(child)", relative: childName)
        }
    }

    static func holdsLayout(_ path: String) throws(StorageError) -> Bool {
        guard try POSIXFile.size("\(path)/oci-layout") != nil else { return false }
        return try POSIXFile.size("\(path)/index.json") != nil
    }
}
