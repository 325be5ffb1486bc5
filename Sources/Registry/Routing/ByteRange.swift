import Foundation

/// Parsing of the two range syntaxes a registry meets.
enum ByteRange {
    /// A `Range: bytes=a-b` request header against a blob of `size` bytes (RFC 9110, one range).
    /// - Returns: nil when the header is absent or not a single byte range (the whole blob is
    ///   then served); throws when the range lies outside the blob.
    static func requested(_ header: String?, size: Int64) -> Result<ClosedRange<Int64>, Unsatisfiable>? {
        guard let header, header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // Suffix range: the last N bytes.
            guard let suffix = Int64(last), suffix > 0 else { return .failure(Unsatisfiable()) }
            guard size > 0 else { return .failure(Unsatisfiable()) }
            return .success(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int64(first), start >= 0 else { return nil }
        guard start < size else { return .failure(Unsatisfiable()) }
        if last.isEmpty { return .success(start...(size - 1)) }
        guard let end = Int64(last), end >= start else { return nil }
        return .success(start...min(end, size - 1))
    }

    struct Unsatisfiable: Error {}

    /// An upload chunk's `Content-Range: <start>-<end>` (the distribution spec's form, with an
    /// optional `bytes ` prefix some clients send). Nil when malformed.
    static func chunk(_ header: String) -> ClosedRange<Int64>? {
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("bytes ") { text = text.dropFirst("bytes ".count) }
        if text.hasPrefix("bytes=") { text = text.dropFirst("bytes=".count) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int64(parts[0]), let end = Int64(parts[1]), start >= 0, end >= start,
            end - start < Int64.max
        else {
            return nil
        }
        return start...end
    }
}
