import Foundation
import GRDB
import Testing

@testable import SearchExtension

/// An index written by an earlier zotd opens in this one with everything it held.
@Suite struct SearchDatabaseMigrationTests {
    @Test func anImageIndexedBeforeManifestsMovedToTheirOwnTableReadsAsBefore() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zotd-search-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let manifest = Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#
                .utf8)
        let digest = "sha256:" + String(repeating: "a", count: 64)
        do {
            let pool = try DatabasePool(path: path)
            try SearchDatabase.migrator.migrate(pool, upTo: "search.v1")
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO search_image (repository, digest, is_index, pushed_at, download_count, media_type, manifest)
                        VALUES ('app', ?, 0, 1700000000, 7, 'application/vnd.oci.image.manifest.v1+json', ?)
                        """,
                    arguments: [digest, Data(manifest)])
            }
        }

        let index = SearchIndex(database: try SearchDatabase(path: path))
        let image = try #require(try index.image(digest, in: "app"))
        #expect(image.manifestSize == Int64(manifest.count))
        #expect(image.pushedAt == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(image.pushedBy == "")
    }
}
