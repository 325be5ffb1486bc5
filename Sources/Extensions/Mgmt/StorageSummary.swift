import Config

/// How storage is tidied, as newer zot's mgmt answer states it: GC, dedupe and a summary of each
/// retention policy. No paths, no driver settings (they may hold cloud credentials).
struct StorageSummary: Encodable, Equatable {
    var gc: Bool
    /// Go's rendering of the sweep interval (`"1h0m0s"`); left out when GC does not sweep periodically.
    var gcInterval: String?
    var dedupe: Bool
    /// Left out when there are no policies.
    var retention: [RetentionPolicySummary]?

    init(_ storage: StorageConfig) {
        gc = storage.gc
        dedupe = storage.dedupe
        // zot reports the interval when it is above zero; it sets the one-hour default only when GC is on,
        // whereas zotd's config always carries it, hence the `gc` test.
        gcInterval = storage.periodicGCInterval.map(GoDuration.format)
        let policies = storage.retention?["policies"]?.arrayValue ?? []
        retention = policies.isEmpty ? nil : policies.map(RetentionPolicySummary.init)
    }
}

/// One retention policy: which repositories, and how much it keeps or deletes; `keepTags` counts its rules.
struct RetentionPolicySummary: Encodable, Equatable {
    /// `nil` (encoded as `null`, as zot does) when the policy names none.
    var repositories: [String]?
    var deleteReferrers: Bool
    var deleteUntagged: Bool
    var keepTags: Int

    /// Reads a policy as written; zot's defaults apply to what it leaves out.
    init(_ policy: JSONValue) {
        repositories = policy["repositories"]?.arrayValue?.compactMap(\.stringValue)
        deleteReferrers = policy["deleteReferrers"]?.boolValue ?? false
        deleteUntagged = policy["deleteUntagged"]?.boolValue ?? true
        keepTags = policy["keepTags"]?.arrayValue?.count ?? 0
    }

    private enum CodingKeys: String, CodingKey {
        case repositories, deleteReferrers, deleteUntagged, keepTags
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(repositories, forKey: .repositories)  // null when absent, like Go's nil slice
        try container.encode(deleteReferrers, forKey: .deleteReferrers)
        try container.encode(deleteUntagged, forKey: .deleteUntagged)
        try container.encode(keepTags, forKey: .keepTags)
    }
}
