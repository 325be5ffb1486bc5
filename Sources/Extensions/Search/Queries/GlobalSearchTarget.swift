import Foundation

/// What a GlobalSearch text asks for, as zot reads it.
enum GlobalSearchTarget: Equatable {
    case repository(String)
    /// `repo:tagPrefix`
    case image(repository: String, tagPrefix: String)
    /// `:tagPart`
    case tag(String)
    case digest(String)

    static let maximumLength = 256

    init(_ query: String) throws(SearchError) {
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines).trimmingSlashes.lowercased()
        if !text.contains(":") && !text.contains("@") {
            self = .repository(text)
        } else if text.hasPrefix("sha256:") {
            self = .digest(text)
        } else if let colon = text.firstIndex(of: ":") {
            let before = String(text[..<colon])
            let after = String(text[text.index(after: colon)...])
            if !before.isEmpty {
                guard !after.contains(":") else {
                    throw SearchError(
                        "failed to parse search text, invalid format invalid image reference format, use [repo:tag] or [repo@digest]")
                }
                self = .image(
                    repository: before.trimmingCharacters(in: .whitespaces), tagPrefix: after.trimmingCharacters(in: .whitespaces))
            } else if !after.isEmpty {
                self = .tag(after)
            } else {
                throw .invalidQuery
            }
        } else {
            throw .invalidQuery
        }
    }
}
