import NIOCore
import PostgresNIO
import Storage

extension PostgresMetadataStore {
    public func allBlobs() async throws -> [(digest: Digest, size: Int64)] {
        try await database.run("SELECT digest, size FROM blob ORDER BY digest").map { row in
            let (digest, size) = try row.decode((String, Int64).self)
            return (try Digest(parsing: digest), size)
        }
    }

    public func blobLinks() async throws -> [Digest: [String]] {
        var links: [Digest: [String]] = [:]
        for row in try await database.run("SELECT digest, repository FROM blob_link ORDER BY repository") {
            let (digest, repository) = try row.decode((String, String).self)
            links[try Digest(parsing: digest), default: []].append(repository)
        }
        return links
    }

    public func allManifests() async throws -> [(repository: String, digest: String, mediaType: String, content: [UInt8])] {
        try await database.run("SELECT repository, digest, media_type, content FROM manifest ORDER BY repository, digest").map {
            row in
            let (repository, digest, mediaType, content) = try row.decode((String, String, String, ByteBuffer).self)
            return (repository, digest, mediaType, Array(content.readableBytesView))
        }
    }

    public func recordedBlobs(among digests: [Digest]) async throws -> Set<Digest> {
        Set(
            try await database.run("SELECT digest FROM blob WHERE digest = ANY(\(digests.map(\.description)))").map {
                try Digest(parsing: try $0.decode(String.self))
            })
    }
}
