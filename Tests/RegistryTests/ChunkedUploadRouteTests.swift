import HTTPTypes
import Storage
import Testing

/// `PATCH /v2/<name>/blobs/uploads/<id>`: streamed chunks, chunks with `Content-Range`, a last chunk on `PUT`.
@Suite struct ChunkedUploadRouteTests {
    let repository = "chunks/test"

    /// zot: "`PATCH` without `Content-Range` streams"; "`PUT ...?digest=` […] completes → 201".
    @Test func streamedPatchThenPutCreatesTheBlob() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(70_000)
            let patched = try await registry.patchChunk(try await registry.startUpload(in: repository), data)
            #expect(patched.status == .accepted)
            #expect(patched.headers[.range] == "0-69999")
            let location = try #require(patched.headers[.location])
            let completed = try await registry.completeUpload(location, digest: Digest.sha256(of: data))
            #expect(completed.status == .created)
            try await expectBlob(registry, data)
        }
    }

    /// Spec: a chunk "MUST have a `202 Accepted` response code, and MUST have `Location` […] and `Range`".
    @Test func patchAnswers202WithLocationRangeAndUUID() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.patchChunk(location, Array("0123456789".utf8))
            #expect(response.status == .accepted)
            #expect(response.headers[.range] == "0-9")
            #expect(response.headers[.location] == location)
            #expect(response.headers[OCIHeader.uploadUUID].map { location.hasSuffix("/\($0)") } == true)
        }
    }

    /// zot: "zero-length and repeated PATCHes are legal"; each appends at the end.
    @Test func streamedPatchesIncludingEmptyOnesAppendInOrder() async throws {
        try await RouteTestRegistry.with { registry in
            let parts = [randomBytes(1000), [], randomBytes(1), randomBytes(2000), []]
            let location = try await registry.startUpload(in: repository)
            var total = 0
            for part in parts {
                let response = try await registry.patchChunk(location, part)
                total += part.count
                #expect(response.status == .accepted)
                #expect(response.headers[.range] == "0-\(total - 1)")
            }
            let data = parts.flatMap { $0 }
            let completed = try await registry.completeUpload(location, digest: Digest.sha256(of: data))
            #expect(completed.status == .created)
            try await expectBlob(registry, data)
        }
    }

    /// Spec: "the first byte of a chunk being the last chunk's `<end-of-range>` plus one."
    @Test func chunksWithContentRangeInOrderBuildTheBlob() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(10_000)
            let location = try await registry.startUpload(in: repository)
            for start in stride(from: 0, to: data.count, by: 3000) {
                let chunk = Array(data[start..<min(start + 3000, data.count)])
                let response = try await registry.patchChunk(location, chunk, start: start)
                #expect(response.status == .accepted)
                #expect(response.headers[.range] == "0-\(start + chunk.count - 1)")
            }
            let completed = try await registry.completeUpload(location, digest: Digest.sha256(of: data))
            #expect(completed.status == .created)
            try await expectBlob(registry, data)
        }
    }

    /// Spec: "The final chunk MAY be uploaded using a `PATCH` request or it MAY be uploaded in the closing `PUT`".
    @Test func putWithAFinalChunkAndContentRangeCompletesTheBlob() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(9000)
            let location = try await registry.startUpload(in: repository)
            _ = try await registry.patchChunk(location, Array(data[..<5000]), start: 0)
            let completed = try await registry.completeUpload(
                location, digest: Digest.sha256(of: data), Array(data[5000...]),
                headers: [.contentRange: "5000-8999"])
            #expect(completed.status == .created)
            try await expectBlob(registry, data)
        }
    }

    /// The closing `PUT`'s `Content-Range` is "if present": a last chunk without one is appended.
    @Test func putWithAFinalChunkWithoutContentRangeCompletesTheBlob() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(9000)
            let location = try await registry.startUpload(in: repository)
            _ = try await registry.patchChunk(location, Array(data[..<4000]))
            let completed = try await registry.completeUpload(
                location, digest: Digest.sha256(of: data), Array(data[4000...]))
            #expect(completed.status == .created)
            try await expectBlob(registry, data)
        }
    }

    /// Spec: a chunk out of order (gap, first not at 0, overlap) "MUST" get 416; `Range` tells where to resume.
    @Test(arguments: [(stored: 10, start: 20), (stored: 0, start: 5), (stored: 10, start: 5)])
    func chunkOutOfOrderIs416WithTheCurrentRange(stored: Int, start: Int) async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            if stored > 0 { _ = try await registry.patchChunk(location, randomBytes(stored), start: 0) }
            let response = try await registry.patchChunk(location, randomBytes(10), start: start)
            expectOCIError(response, .rangeNotSatisfiable, "BLOB_UPLOAD_INVALID")
            #expect(response.headers[.range] == (stored > 0 ? "0-\(stored - 1)" : "0-0"))
        }
    }

    /// Spec: after a 416 "A GET request may be used to retrieve the current valid offset": nothing moved.
    @Test func rejectedChunkLeavesTheUploadWhereItStood() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(20)
            let location = try await registry.startUpload(in: repository)
            _ = try await registry.patchChunk(location, Array(data[..<10]), start: 0)
            let rejected = try await registry.patchChunk(location, randomBytes(10), start: 4)
            #expect(rejected.status == .rangeNotSatisfiable)
            let status = try await registry.get(location)
            #expect(status.headers[.range] == "0-9")
            let resumed = try await registry.patchChunk(location, Array(data[10...]), start: 10)
            #expect(resumed.status == .accepted)
            let completed = try await registry.completeUpload(location, digest: Digest.sha256(of: data))
            #expect(completed.status == .created)
            try await expectBlob(registry, data)
        }
    }

    /// A last chunk on `PUT` that does not continue the upload is 416: nothing stored, the session keeps its bytes.
    @Test func putWithAFinalChunkOutOfOrderIs416AndKeepsTheSession() async throws {
        try await RouteTestRegistry.with { registry in
            let data = randomBytes(100)
            let location = try await registry.startUpload(in: repository)
            _ = try await registry.patchChunk(location, Array(data[..<50]), start: 0)
            let response = try await registry.completeUpload(
                location, digest: Digest.sha256(of: data), Array(data[50...]), headers: [.contentRange: "60-109"])
            expectOCIError(response, .rangeNotSatisfiable, "BLOB_UPLOAD_INVALID")
            let stored = try await registry.head("/v2/\(repository)/blobs/\(Digest.sha256(of: data))")
            #expect(stored.status == .notFound)
            let status = try await registry.get(location)
            #expect(status.status == .noContent)
            #expect(status.headers[.range] == "0-49")
        }
    }

    /// A `Content-Range` that disagrees with the body's length, longer or shorter, cannot be satisfied: 416.
    @Test(arguments: [(range: "0-9", length: 5), (range: "0-4", length: 10)])
    func contentRangeDisagreeingWithTheBodyIs416(range: String, length: Int) async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.request(
                .patch, location, headers: [.contentRange: range], body: randomBytes(length))
            expectOCIError(response, .rangeNotSatisfiable, "BLOB_UPLOAD_INVALID")
        }
    }

    /// Spec: the range "MUST match […] `^[0-9]+-[0-9]+$`"; anything else is 416, never taken as a streamed chunk.
    @Test func malformedContentRangeIs416AndStoresNothing() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.request(
                .patch, location, headers: [.contentRange: "bytes=zero-nine"], body: randomBytes(10))
            expectOCIError(response, .rangeNotSatisfiable, "BLOB_UPLOAD_INVALID")
            let status = try await registry.get(location)
            #expect(status.headers[.range] == "0-0")
        }
    }

    /// A chunk shorter than its `Content-Length` (a client cut off) is 400 BLOB_UPLOAD_INVALID.
    @Test func patchShorterThanContentLengthIs400BlobUploadInvalid() async throws {
        try await RouteTestRegistry.with { registry in
            let location = try await registry.startUpload(in: repository)
            let response = try await registry.request(.patch, location, headers: [.contentLength: "10"])
            expectOCIError(response, .badRequest, "BLOB_UPLOAD_INVALID")
        }
    }

    private func expectBlob(
        _ registry: RouteTestRegistry, _ data: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = try await registry.get("/v2/\(repository)/blobs/\(Digest.sha256(of: data))")
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(response.bytes == data, sourceLocation: sourceLocation)
    }
}
