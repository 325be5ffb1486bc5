/// zot's rank of a repository name against a search text (`RankRepoName`): 0 is an exact match, lower is
/// better, nil means no match.
enum RepositoryRank {
    static func rank(_ text: String, _ name: String) -> Int? {
        let search = text.trimmingSlashes
        let searchParts = search.split(separator: "/", omittingEmptySubsequences: false)
        let nameParts = name.split(separator: "/", omittingEmptySubsequences: false)
        if searchParts.count > nameParts.count { return nil }
        if search == name { return 0 }
        if searchParts.count == 1 {
            if let index = nameParts.last!.byteOffset(of: search) { return index + 1 }
            if let index = nameParts.first!.byteOffset(of: search) { return (index + 1) * 10 }
        }
        if searchParts.dropLast().elementsEqual(nameParts.prefix(searchParts.count - 1)),
            let index = nameParts.last!.byteOffset(of: searchParts.last!)
        {
            return index + 1
        }
        if name.hasPrefix(search) { return 10 }
        if let index = Substring(name).byteOffset(of: search) { return (index + 1) * 100 }
        return nil
    }
}

extension StringProtocol {
    /// Go's `strings.Index`: the byte offset of the first occurrence of `needle`.
    func byteOffset(of needle: some StringProtocol) -> Int? {
        let haystack = Array(utf8)
        let target = Array(needle.utf8)
        if target.isEmpty { return 0 }
        guard target.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - target.count) where haystack[start..<(start + target.count)].elementsEqual(target) {
            return start
        }
        return nil
    }

    var trimmingSlashes: String {
        var text = Substring(self)
        while text.hasPrefix("/") { text = text.dropFirst() }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
