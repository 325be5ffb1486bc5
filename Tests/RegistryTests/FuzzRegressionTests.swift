import Testing

@testable import Registry

/// Inputs found by fuzzing (Tests/Fuzz) or the e2e robustness tests, kept as regression tests.
@Suite struct FuzzRegressionTests {
    /// `PATCH` with `Content-Range: 0-9223372036854775807` and `Content-Length: 1` crashed zotd (SIGILL,
    /// Int64 overflow): `UploadRoutes.chunkStart` compares the length with
    /// `range.upperBound - range.lowerBound + 1`, which overflows for this range. One unauthenticated
    /// request took the server down. The chunk parser must refuse a range whose length is not
    /// representable (or callers must compare `upperBound - lowerBound` with `length - 1`).
    @Test func chunkRangeWhoseLengthOverflowsIsRefused() {
        for header in ["0-9223372036854775807", "bytes 0-9223372036854775807/*"] {
            if let range = ByteRange.chunk(header) {
                let (span, overflow) = range.upperBound.subtractingReportingOverflow(range.lowerBound)
                #expect(!overflow && span < Int64.max, "Content-Range \(header) has a length that overflows Int64")
            }
        }
    }

    /// Ranges near Int64's limits stay inside the blob and never trap.
    @Test func blobRangesAtTheLimitsStayInsideTheBlob() throws {
        let size: Int64 = 1 << 40
        for header in ["bytes=-9223372036854775807", "bytes=0-9223372036854775807", "bytes=9223372036854775806-"] {
            if case .success(let range)? = ByteRange.requested(header, size: size) {
                #expect(range.lowerBound >= 0 && range.upperBound < size)
            }
        }
    }
}
