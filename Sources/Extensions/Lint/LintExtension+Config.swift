import Config

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
                    got: value.summary)
            }
            for (index, item) in items.enumerated() {
                guard let name = item.stringValue, !name.isEmpty else {
                    throw .invalid(
                        keyPath: "\(path).mandatoryAnnotations[\(index)]", expected: "an annotation name",
                        got: item.summary)
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

}
