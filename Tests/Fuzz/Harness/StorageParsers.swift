import Foundation

/// libFuzzer entry point for the parsers a client reaches in Storage: the first input byte picks
/// the parser, the rest is its input. A parser may refuse (throw) but must never crash, and what it
/// accepts must survive a round trip through its description.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStorageParsers(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let input = Array(bytes.dropFirst())
    let text = String(decoding: input, as: UTF8.self)
    switch bytes[0] % 5 {
    case 0:
        if let digest = try? Digest(parsing: text) {
            precondition((try? Digest(parsing: digest.description)) == digest, "digest round trip: \(text)")
        }
    case 1:
        if let name = try? RepositoryName(parsing: text) {
            precondition(name.value.utf8.count <= RepositoryName.maximumLength, "over-long name accepted")
            precondition((try? RepositoryName(parsing: name.description)) == name, "name round trip: \(text)")
        }
    case 2:
        _ = try? Reference(parsing: text)
        _ = try? Tag(parsing: text)
    default:
        let types: [String?] = [nil] + ManifestMediaType.allCases.map(\.rawValue) + ["application/json"]
        let parsed = try? ParsedManifest(bytes: input, contentType: types[Int(bytes[0] / 5) % types.count])
        if let parsed {
            precondition(parsed.blobs.isEmpty || parsed.manifests.isEmpty, "a manifest that is both image and index")
            // What zotd judges, clients read alike: UTF-8 only, no byte-order mark, no key twice.
            precondition(String(validating: input, as: UTF8.self) != nil, "a manifest that is not UTF-8 accepted")
            precondition(!input.starts(with: [0xEF, 0xBB, 0xBF]), "a manifest with a byte-order mark accepted")
        }
    }
    return 0
}
