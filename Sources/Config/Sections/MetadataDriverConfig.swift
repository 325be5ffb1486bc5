/// `storage.cacheDriver` with `storage.remoteCache`: where zotd keeps its metadata. zot names its dedupe cache
/// there; zotd keeps everything it knows about repositories, manifests, tags and uploads in that one place.
public enum MetadataDriverConfig: Sendable, Equatable {
    /// SQLite under the storage root: no cache driver, or zot's `boltdb`.
    case embedded
    /// A PostgreSQL database that replicas share: `{"name": "postgresql", "url": "postgres://..."}` with
    /// `remoteCache: true`, zotd's own driver name.
    case postgresql(url: String)
}

extension MetadataDriverConfig {
    init(reading reader: inout ConfigReader, warnings: inout [ConfigWarning]) throws(ConfigError) {
        let name = try reader.string("name")?.lowercased() ?? "boltdb"
        switch name {
        case "boltdb":
            // zot's BoltDB file lives under its rootDirectory; zotd's SQLite file is always under the storage root.
            _ = try reader.string("rootDirectory")
            self = .embedded
        case "postgresql":
            guard let url = try reader.string("url"), !url.isEmpty else {
                throw .missing(
                    keyPath: reader.path.appending("url").description,
                    expected: "the database's URL, e.g. \"postgres://zotd:secret@db.example.org:5432/zotd\"")
            }
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw .invalid(
                    keyPath: reader.path.appending("url").description,
                    expected: "a postgres:// or postgresql:// URL", got: "a URL of another scheme")
            }
            self = .postgresql(url: url)
        default:
            // The refusal table names the driver first; this only guards a reader used without it.
            throw .invalid(
                keyPath: reader.path.appending("name").description, expected: "\"boltdb\" or \"postgresql\"",
                got: "\"\(name)\"")
        }
        warnings += reader.unknownKeyWarnings()
    }
}
