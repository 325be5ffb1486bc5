import Foundation
import Testing

@testable import Storage

/// `ScrubReport.byRepository`: what the scrub extension posts for the metrics extension.
@Suite struct ScrubFiguresTests {
    @Test func figuresArePerLinkingRepository() async throws {
        let root = TemporaryRoot()
        let store = try root.open()
        let manifest = try await ManifestStoreTests().pushImage(store, in: repo("a"))
        _ = try await store.putManifest(manifest, contentType: nil, reference: .tag(try Tag(parsing: "v1")), in: repo("a"))
        let shared = randomBytes(30)
        _ = try await store.storeBlob(sha256(shared), in: repo("a"), body: ChunkedBody(chunks: [shared]), declaredLength: nil)
        _ = try await store.mountBlob(sha256(shared), from: repo("a"), to: repo("b"))
        // Damage the shared blob (same size, other bytes) and delete one of a's layers.
        let layout = (store.blobs as! LocalBlobStore).layout
        try Data(repeating: 0, count: 30).write(to: URL(fileURLWithPath: layout.blobPath(sha256(shared))))
        let layer = try ParsedManifest(bytes: manifest, contentType: nil).blobs.last!
        try FileManager.default.removeItem(atPath: layout.blobPath(layer))

        let figures = try await store.scrub().byRepository
        #expect(figures["a"] == .init(blobsChecked: 3, blobsCorrupt: 1, blobsMissing: 1))
        #expect(figures["b"] == .init(blobsChecked: 1, blobsCorrupt: 1))
    }
}
