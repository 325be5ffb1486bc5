import Foundation
import Testing

@testable import Storage

/// Which directories of a zot storage root are repositories.
@Suite struct ZotLayoutScanTests {
    let root = TemporaryRoot()

    private func layout(_ relative: String) throws {
        let directory = "\(root.path)/\(relative)"
        try FileManager.default.createDirectory(atPath: "\(directory)/blobs/sha256", withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: "\(directory)/oci-layout"))
        try Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8).write(to: URL(fileURLWithPath: "\(directory)/index.json"))
    }

    /// Nested names, a repository inside another's directory, and one called `blobs` at the top are found.
    @Test func findsNestedRepositoriesByTheirPathUnderTheRoot() throws {
        for name in ["team", "team/tools/cli", "blobs", "library/app"] { try layout(name) }
        let scan = try ZotLayoutScan(root: root.path)
        #expect(scan.repositories.map(\.name.value) == ["blobs", "library/app", "team", "team/tools/cli"])
        #expect(scan.repositories.first?.path == "\(root.path)/blobs")
    }

    /// A repository's `blobs` directory is not walked (nor what it holds), nor is any directory starting with
    /// `.` or `_`: zotd's own state, zot's `_trivy`, an `.uploads` that happens to hold a layout.
    @Test func passesByBlobsDirectoriesAndNamesNoRepositoryCanHave() throws {
        for name in ["app", "app/blobs/inner", "_zotd/x", "_trivy", "app/.uploads/y"] { try layout(name) }
        let scan = try ZotLayoutScan(root: root.path)
        #expect(scan.repositories.map(\.name.value) == ["app"])
    }

    /// A layout under a path that is no repository name is reported, not adopted.
    @Test func reportsALayoutUnderAnInvalidName() throws {
        try layout("Team/App")
        let scan = try ZotLayoutScan(root: root.path)
        #expect(scan.repositories.isEmpty)
        #expect(scan.invalidNames == ["Team/App"])
    }

    @Test func aMissingRootHoldsNoRepositories() throws {
        let scan = try ZotLayoutScan(root: root.path + "/absent")
        #expect(scan.repositories.isEmpty && scan.invalidNames.isEmpty)
    }
}
