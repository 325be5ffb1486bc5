/// Arguments of `Referrers`; `type` filters by artifact type.
struct ReferrersArguments: Codable, Sendable, Equatable {
    var repo: String
    var digest: String
    var type: [String]? = nil
}
