import Foundation

/// A layer blob of an image.
struct LayerSummary: Sendable, Equatable {
    /// Decimal bytes; a String because GraphQL's Int is only 32 bits.
    var size: String?
    var digest: String?
}

/// The config history entry that produced a layer.
struct HistoryDescription: Sendable, Equatable {
    var created: Date?
    var createdBy: String?
    var author: String?
    var comment: String?
    var emptyLayer: Bool?
}

/// A history entry paired with its layer (nil for empty layers).
struct LayerHistory: Sendable, Equatable {
    var layer: LayerSummary?
    var historyDescription: HistoryDescription?
}
