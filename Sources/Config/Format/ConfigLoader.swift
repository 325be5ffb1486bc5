import Foundation

/// Reads zot's JSON config format into a `RegistryConfig`.
///
/// A config is refused with a `ConfigError` when it is not JSON, when a value has the wrong type or is out
/// of range, when `storage.rootDirectory` is missing, or when it asks for a zot feature zotd does not have
/// yet (`UnsupportedFeature.table`). Keys zotd does not know are not fatal: each comes back as a
/// `ConfigWarning` naming its path, for the caller to print.
public enum ConfigLoader {
    /// Reads the config file at `path`.
    public static func load(path: String) throws(ConfigError) -> (config: RegistryConfig, warnings: [ConfigWarning]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try load(data: data)
    }

    /// Reads a config from the bytes of a JSON document.
    public static func load(data: Data) throws(ConfigError) -> (config: RegistryConfig, warnings: [ConfigWarning]) {
        try load(data: data, refusing: UnsupportedFeature.table)
    }

    /// Reads a config, refusing what `features` lists; tests pass a shorter list to reach the parsing of
    /// sections that the real table refuses.
    static func load(
        data: Data, refusing features: [UnsupportedFeature]
    ) throws(ConfigError) -> (config: RegistryConfig, warnings: [ConfigWarning]) {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .malformedJSON(reason: syntaxProblem(in: data))
        }
        guard case .object(let members) = document else {
            throw .invalid(keyPath: ConfigKeyPath.root.description, expected: "a JSON object", got: document.summary)
        }
        let sections = Set(RegistryConfig.sectionNames.map { $0.lowercased() })
        guard members.keys.contains(where: { sections.contains($0.lowercased()) }) else {
            throw .notARegistryConfig(foundKeys: members.keys.sorted())
        }
        // Refusals come before type checks: a config that asks for S3 may well lack a rootDirectory, and
        // "the s3 driver is not supported" is the message that helps.
        try UnsupportedFeature.check(document, against: features)

        var reader = try ConfigReader(document, at: .root)
        var warnings: [ConfigWarning] = []
        let config = try RegistryConfig(reading: &reader, warnings: &warnings)
        return (config, warnings)
    }

    /// Where and why `data` is not JSON. JSONDecoder only says "not valid JSON", so JSONSerialization, which
    /// names the offending character, is asked again; its offset is turned into the line and column an
    /// editor shows.
    private static func syntaxProblem(in data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return "the parser refused it"
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard let range = detail.range(of: #"character \d+"#, options: .regularExpression),
                let offset = Int(detail[range].dropFirst("character ".count))
            else { return detail }
            let before = data.prefix(offset)
            let line = before.count { $0 == UInt8(ascii: "\n") } + 1
            let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            return detail.replacingCharacters(in: range, with: "line \(line), column \(column)")
        }
    }
}
