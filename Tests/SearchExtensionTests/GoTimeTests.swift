import Foundation
import Testing
@testable import SearchExtension

/// `Time` must look like what Go's time.Time marshals to.
@Suite struct GoTimeTests {
    @Test(arguments: [
        (1_700_000_000.0, "2023-11-14T22:13:20Z"),
        (1_700_000_000.5, "2023-11-14T22:13:20.5Z"),
        (1_700_000_000.123456, "2023-11-14T22:13:20.123456Z"),
        (1_700_000_000.120, "2023-11-14T22:13:20.12Z"),
        (0.0, "1970-01-01T00:00:00Z"),
        (-1.0, "1969-12-31T23:59:59Z"),
        (951_782_400.0, "2000-02-29T00:00:00Z"),
    ])
    func formatsLikeGo(seconds: Double, expected: String) {
        #expect(GoTime.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func parsesOffsetsAndFractions() throws {
        let parsed = try #require(GoTime.parse("2023-11-14T23:13:20.25+01:00"))
        #expect(GoTime.format(parsed) == "2023-11-14T22:13:20.25Z")
        #expect(GoTime.parse("2023-11-14T22:13:20Z") == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(GoTime.parse("2023-11-14 22:13:20") == nil)
        #expect(GoTime.parse("2023-13-14T22:13:20Z") == nil)
    }
}
