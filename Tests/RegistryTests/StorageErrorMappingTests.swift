import Registry
import Storage
import Testing

/// What a client sees when the store fails: the status says whether to retry, and no detail from the
/// backend (paths, S3's words) reaches it.
@Suite struct StorageErrorMappingTests {
    @Test func aStoreThatDidNotAnswerIs503Unavailable() {
        let error = OCIError(StorageError.unavailable("S3 request Unreachable: GET /bucket/key"))
        #expect(error.status == .serviceUnavailable)
        #expect(error.code == .unavailable)
        #expect(error.detail?.contains("S3") == false)
    }

    @Test func aFailingStoreIs500Unknown() {
        let error = OCIError(StorageError.io("pwrite(/var/lib/zotd/_zotd/uploads/x): No space left on device"))
        #expect(error.status == .internalServerError)
        #expect(error.code == .unknown)
        #expect(error.detail?.contains("/var/lib") == false)
    }
}
