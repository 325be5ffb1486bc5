import Foundation
import Testing

@testable import Config

/// `http` members `members` over a minimal storage section.
private func load(http members: String) throws(ConfigError) -> (config: RegistryConfig, warnings: [ConfigWarning]) {
    try ConfigLoader.load(data: Data("{\"storage\": {\"rootDirectory\": \"/z\"}, \"http\": {\(members)}}".utf8))
}

// MARK: http.writeTimeout

/// `http.writeTimeout` is a Go duration like zot's other durations.
@Test func writeTimeoutParsesAsAGoDuration() throws {
    let http = try load(http: "\"writeTimeout\": \"1m30s\"").config.http
    #expect(http.writeTimeout == .seconds(90))
    #expect(http.effectiveWriteTimeout == .seconds(90))
}

/// Absent or `"0"`: the 60 s default, so a stalled download is never held for ever.
@Test(arguments: ["", "\"writeTimeout\": \"0\"", "\"writeTimeout\": \"0s\"", "\"writeTimeout\": null"])
func writeTimeoutAbsentOrZeroMeansTheDefault(members: String) throws {
    let (config, warnings) = try load(http: members)
    #expect(config.http.effectiveWriteTimeout == .seconds(60))
    #expect(warnings.isEmpty)
}

/// The same for `readTimeout`: a zero idle timeout would close every connection at once.
@Test(arguments: ["", "\"readTimeout\": \"0\"", "\"readTimeout\": \"0s\"", "\"readTimeout\": null"])
func readTimeoutAbsentOrZeroMeansTheDefault(members: String) throws {
    let (config, _) = try load(http: members)
    #expect(config.http.effectiveReadTimeout == .seconds(60))
}

@Test func malformedWriteTimeoutNamesItsKeyPath() {
    do {
        _ = try load(http: "\"writeTimeout\": \"soon\"")
        Issue.record("a malformed writeTimeout was accepted")
    } catch {
        #expect(error.keyPath == "http.writeTimeout")
    }
}

// MARK: http.maxUploadSessionsPerClient

/// Not a zot key, but zotd's own: read, so it draws no unknown-key warning.
@Test func maxUploadSessionsPerClientIsReadWithoutWarning() throws {
    let (config, warnings) = try load(http: "\"maxUploadSessionsPerClient\": 3")
    #expect(config.http.maxUploadSessionsPerClient == 3)
    #expect(warnings.isEmpty)
}

@Test func maxUploadSessionsPerClientDefaultsToAThousand() throws {
    #expect(try load(http: "").config.http.maxUploadSessionsPerClient == 1000)
}

@Test(arguments: ["0", "-1", "\"3\"", "2.5", "1000001"])
func maxUploadSessionsPerClientOutOfRangeIsRefused(value: String) {
    do {
        _ = try load(http: "\"maxUploadSessionsPerClient\": \(value)")
        Issue.record("maxUploadSessionsPerClient \(value) was accepted")
    } catch {
        #expect(error.keyPath == "http.maxUploadSessionsPerClient")
    }
}
