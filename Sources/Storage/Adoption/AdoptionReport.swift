/// What adopting a zot storage root did: for the log, and for the tests that hold it to its promises.
public struct AdoptionReport: Sendable {
    /// Something in zot's files that could not be adopted, and why; it is not served.
    public struct Problem: Sendable, CustomStringConvertible {
        /// The repository's name, or its path under the root when that is no valid name.
        public var repository: String
        public var detail: String

        public var description: String { "\(repository): \(detail)" }
    }

    /// Repositories in zot's layout under the root.
    public var repositoriesFound = 0
    /// Of those, the ones looked at so far (all of them once adoption is over).
    public var repositoriesChecked = 0
    /// Of those, the ones whose `index.json` had changed since it was last adopted (or never was).
    public var repositoriesAdopted = 0
    /// Manifests stored, and tags set or moved, that zotd did not have before.
    public var manifestsAdopted = 0
    public var tagsAdopted = 0
    /// Blob files linked into zotd's store, each verified against its digest first.
    public var blobsVerified = 0
    public var bytesVerified: Int64 = 0
    public var problems: [Problem] = []
    public var seconds = 0.0

    /// Nothing found, nothing adopted.
    public init() {}

    public var repositoriesUnchanged: Int { repositoriesFound - repositoriesAdopted }

    /// Whether what the extensions derive from storage (search's index) needs rebuilding.
    public var changedStorage: Bool { manifestsAdopted > 0 || tagsAdopted > 0 }

    /// One line for the log.
    public var summary: String {
        let rate = seconds > 0 ? Double(bytesVerified) / seconds / 1_048_576 : 0
        return "adopted \(repositoriesAdopted) of \(repositoriesFound) zot repositories "
            + "(\(repositoriesUnchanged) unchanged since last adopted): \(manifestsAdopted) new manifests, "
            + "\(tagsAdopted) tags set, \(blobsVerified) blob files verified and linked "
            + "(\(bytesVerified) bytes, \(Int(rate)) MiB/s), \(problems.count) problems, "
            + "in \(String(format: "%.2f", seconds)) s"
    }

    mutating func add(_ repository: RepositoryLayoutAdoption) {
        repositoriesAdopted += 1
        manifestsAdopted += repository.newManifests
        tagsAdopted += repository.movedTags
        blobsVerified += repository.blobsVerified
        bytesVerified += repository.bytesVerified
        problems += repository.problems.map { Problem(repository: repository.layout.name.value, detail: $0) }
    }
}
