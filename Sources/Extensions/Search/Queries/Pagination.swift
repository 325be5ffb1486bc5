/// A requested page, checked as zot checks it, and cut from results already filtered and sorted.
struct Pagination: Sendable {
    let limit: Int
    let offset: Int
    let sort: SortCriteria

    /// The largest page a client may ask for. zot has none; zotd refuses absurd sizes outright, while no limit
    /// at all still means every result (zli asks that way).
    static let maximumLimit = 10_000

    /// The sort orders images and repositories support (`STARS` is declared by zot's schema but refused).
    static let supported: Set<SortCriteria> = [.relevance, .updateTime, .alphabeticAsc, .alphabeticDsc, .downloads]

    init(_ page: PageInput?, defaultSort: SortCriteria) throws(SearchError) {
        limit = page?.limit ?? 0
        offset = page?.offset ?? 0
        sort = page?.sortBy ?? defaultSort
        guard limit >= 0 else { throw SearchError("pagination limit has negative value") }
        guard offset >= 0 else { throw SearchError("pagination offset has negative value") }
        guard limit <= Self.maximumLimit else {
            throw SearchError("pagination limit \(limit) is larger than the maximum of \(Self.maximumLimit)")
        }
        guard Self.supported.contains(sort) else {
            throw SearchError("sorting repos by '\(sort.rawValue)' is not supported the pagination sort criteria is not supported")
        }
    }

    /// GlobalSearch checks the page first, with its own words.
    static func checkGlobalSearch(_ page: PageInput?) throws(SearchError) {
        if let limit = page?.limit, limit < 0 {
            throw SearchError("requested page limit parameter can't be negative request parameter has invalid value")
        }
        if let offset = page?.offset, offset < 0 {
            throw SearchError("requested page offset parameter can't be negative request parameter has invalid value")
        }
    }

    /// The page of `items`: everything when neither limit nor offset is given, as zot does, and nothing for an
    /// offset alone (zot's `limit: 0` means none).
    func cut<Item>(_ items: [Item]) -> (page: PageInfo, items: [Item]) {
        let total = items.count
        var start = offset
        var end = offset.addingReportingOverflow(limit).overflow ? Int.max : offset + limit
        if start >= total { start = total; end = total }
        if end >= total { end = total }
        let page = start == 0 && end == 0 ? items : Array(items[start..<end])
        return (PageInfo(totalCount: total, itemCount: page.count), page)
    }
}
