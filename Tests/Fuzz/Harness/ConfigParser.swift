import Foundation

/// libFuzzer entry point for config reading: the bytes are a config file, read by the real `ConfigLoader`
/// (JSON decoding into `JSONValue`, the refusal table, then every section's reader). A config may be refused
/// (a thrown `ConfigError`) but reading must never crash, and what is accepted must hold the invariants the
/// server relies on without checking again.
///
/// Each input is read twice: with the real refusal table, and with none, so that the readers of sections the
/// real table refuses before they are read (storage sub-paths, for one) are fuzzed too. The seeds are real
/// config files, byte for byte. run.sh compiles the whole Config module into the target with this file, which
/// is how the harness reaches `load(data:refusing:)` and the refusal table.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigParser(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let data = Data(UnsafeRawBufferPointer(start: start, count: count))
    for refusing in [UnsupportedFeature.table, []] {
        do {
            let (config, warnings) = try ConfigLoader.load(data: data, refusing: refusing)
            check(config)
            for warning in warnings { _ = warning.description }
        } catch {
            // Every refusal must render as a message for the user.
            precondition(!error.description.isEmpty, "a config error without a message")
        }
    }
    return 0
}

private func check(_ config: RegistryConfig) {
    precondition(!config.storage.rootDirectory.isEmpty, "accepted a config without storage.rootDirectory")
    precondition(HTTPConfig.portRange.contains(config.http.port), "accepted port \(config.http.port)")
    for duration in [config.storage.gcDelay, config.storage.gcInterval] + [config.http.readTimeout].compactMap({ $0 }) {
        precondition(duration >= .zero, "accepted a negative duration")
        // What a message shows must read back as the same duration.
        precondition(GoDuration.parse(GoDuration.format(duration)) == duration, "duration round trip: \(duration)")
    }
    if let window = config.storage.gcTimeWindow {
        precondition(GCTimeWindow(parsing: window.description) == window, "time window round trip: \(window)")
        _ = window.contains(Date())
    }
    // Access-control patterns were compiled while reading; matching them must not crash either.
    for pattern in config.http.accessControlConfig?.repositories.keys.sorted() ?? [] {
        guard let glob = try? RepositoryGlob(pattern) else {
            preconditionFailure("accepted an access-control pattern that does not compile: \(pattern)")
        }
        _ = glob.matches("library/alpine")
        _ = glob.matches(pattern)
        _ = glob.specificity
    }
    _ = config.extensions.enabledNames
}
