/// Where a value sits in the config, printed the way users write it: `storage.gcDelay`, `http.compat[0]`,
/// `storage.subPaths["/a"].rootDirectory`.
struct ConfigKeyPath: Sendable, Hashable, CustomStringConvertible {
    private enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    private var steps: [Step] = []

    /// The whole document.
    static let root = ConfigKeyPath()

    /// The path of member `key` of the object at this path.
    func appending(_ key: String) -> ConfigKeyPath {
        var path = self
        path.steps.append(.key(key))
        return path
    }

    /// The path of element `index` of the array at this path.
    func appending(index: Int) -> ConfigKeyPath {
        var path = self
        path.steps.append(.index(index))
        return path
    }

    var description: String {
        if steps.isEmpty { return "(top level)" }
        var text = ""
        for step in steps {
            switch step {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key) where key.isPlainName:
                text += text.isEmpty ? key : "." + key
            case .key(let key):
                text += "[\"\(key)\"]"
            }
        }
        return text
    }
}

extension String {
    /// Whether the key reads unambiguously after a dot, as opposed to `/a` or `**`.
    fileprivate var isPlainName: Bool {
        !isEmpty && allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}
