import Registry

extension LintExtension {
    /// Reads `extensions.lint`.
    ///
    /// - Throws: `ConfigError.invalid` when `mandatoryAnnotations` is not a list of strings;
    ///   `ConfigError.unsupported` for a non-empty `mandatorySignatures` (newer zot's signature check,
    ///   which needs image trust), rather than let unsigned images in while the config asks otherwise.
    init(section: JSONValue) throws(ConfigError) {
        let path = "extensions.lint"
        var names: [String] = []
        if let value = section["mandatoryAnnotations"], value != .null {
            guard let items = value.arrayValue else {
                throw .invalid(
                    keyPath: "\(path).mandatoryAnnotations", expected: "a list of annotation names",
                    got: Self.describe(value))
            }
            for (index, item) in items.enumerated() {
                guard let name = item.stringValue, !name.isEmpty else {
                    throw .invalid(
                        keyPath: "\(path).mandatoryAnnotations[\(index)]", expected: "an annotation name",
                        got: Self.describe(item))
                }
                names.append(name)
            }
        }
        if let signatures = section["mandatorySignatures"]?.arrayValue, !signatures.isEmpty {
            throw .unsupported(
                keyPath: "\(path).mandatorySignatures", feature: "mandatory signatures",
                why: "mandatory signatures are not supported yet; refusing to accept unsigned images "
                    + "for a config that requires signatures")
        }
        self.init(mandatoryAnnotations: names)
    }

    /// A short rendering of a config value for error messages.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .string(let text): "\"\(text)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
