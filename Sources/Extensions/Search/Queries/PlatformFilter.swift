import Foundation

/// zot's platform filter: some single platform must match both the OS list and the architecture list
/// (each ignored when empty), case-insensitively.
struct PlatformFilter: Sendable {
    let os: [String]
    let arch: [String]

    init(_ filter: Filter?) {
        let clean: ([String]?) -> [String] = { values in
            (values ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }
        os = clean(filter?.os)
        arch = clean(filter?.arch)
    }

    var isEmpty: Bool { os.isEmpty && arch.isEmpty }

    func accepts(_ platforms: Set<ZotPlatform>) -> Bool {
        if platforms.isEmpty { return isEmpty }
        return platforms.contains { platform in
            (os.isEmpty || os.contains(platform.os.lowercased())) && (arch.isEmpty || arch.contains(platform.arch.lowercased()))
        }
    }

    func accepts(images view: ImageView, signed: Bool, _ builder: SummaryBuilder) async throws -> Bool {
        if signed, try await builder.signatures(of: view.image.digest, in: view.repository).isEmpty { return false }
        let platforms = Set(view.manifests.map { view.platform(of: $0) }.filter { !($0.os ?? "").isEmpty || !($0.arch ?? "").isEmpty }
            .map { ZotPlatform(os: $0.os ?? "", arch: $0.arch ?? "") })
        return accepts(platforms)
    }
}
